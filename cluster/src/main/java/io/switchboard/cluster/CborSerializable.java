package io.switchboard.cluster;

/**
 * Marker for messages that may cross nodes; bound to Pekko's Jackson CBOR serializer in this
 * module's reference.conf.
 */
public interface CborSerializable {}
