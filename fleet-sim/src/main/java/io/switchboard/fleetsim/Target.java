package io.switchboard.fleetsim;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where simulated agents connect: an OpAMP endpoint on a loopback address, over WebSocket ({@code
 * ws://}) or HTTP polling ({@code http://}). Only 127.0.0.0/8 is accepted so that a simulated storm
 * can never be aimed at another machine.
 */
public record Target(Protocol protocol, URI uri) {

  /** How agents of this target talk OpAMP. */
  public enum Protocol {
    WEBSOCKET,
    HTTP
  }

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

  /** Parses and checks a target; the message of the exception says what is wrong with it. */
  public static Target parse(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + text + "' is not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    Protocol protocol =
        switch (scheme) {
          case "ws" -> Protocol.WEBSOCKET;
          case "http" -> Protocol.HTTP;
          case "wss", "https" ->
              throw new IllegalArgumentException(
                  "'" + text + "': TLS is not supported, use ws:// or http:// on loopback");
          default ->
              throw new IllegalArgumentException(
                  "'" + text + "' must start with ws:// (WebSocket) or http:// (HTTP polling)");
        };
    String host = uri.getHost();
    if (host == null || uri.getPort() < 0) {
      throw new IllegalArgumentException(
          "'" + text + "' needs a valid host and port, e.g. ws://127.0.0.1:4320/v1/opamp");
    }
    // localhost is pinned to 127.0.0.1 rather than resolved: it may resolve to ::1 or elsewhere.
    String address = host.equalsIgnoreCase("localhost") ? "127.0.0.1" : host;
    if (!isLoopbackIpv4(address)) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "': only loopback targets (127.0.0.0/8 or localhost) are allowed, not "
              + host);
    }
    String path =
        uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/v1/opamp" : uri.getRawPath();
    return new Target(protocol, URI.create(scheme + "://" + address + ":" + uri.getPort() + path));
  }

  private static boolean isLoopbackIpv4(String host) {
    if (!IPV4.matcher(host).matches()) {
      return false;
    }
    String[] octets = host.split("\\.");
    for (String octet : octets) {
      if (Integer.parseInt(octet) > 255) {
        return false;
      }
    }
    return octets[0].equals("127");
  }

  @Override
  public String toString() {
    return uri.toString();
  }
}
