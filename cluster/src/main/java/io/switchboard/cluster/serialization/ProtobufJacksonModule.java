package io.switchboard.cluster.serialization;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.Deserializers;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.function.Function;

/**
 * Lets Pekko's Jackson CBOR serializer carry protobuf messages (AgentToServer, ServerToAgent, ...)
 * and protobuf ByteStrings inside cluster messages: each travels as its protobuf bytes, the most
 * compact and exact form it has. Registered in this module's reference.conf.
 */
public final class ProtobufJacksonModule extends SimpleModule {

  public ProtobufJacksonModule() {
    super("switchboard-protobuf");
    addSerializer(Message.class, new BytesSerializer<>(Message.class, Message::toByteArray));
    addSerializer(
        ByteString.class, new BytesSerializer<>(ByteString.class, ByteString::toByteArray));
    addDeserializer(ByteString.class, new ByteStringDeserializer());
  }

  @Override
  public void setupModule(SetupContext context) {
    super.setupModule(context);
    context.addDeserializers(new MessageDeserializers());
  }

  /** Writes a value as the binary it already is. */
  private static final class BytesSerializer<T> extends StdSerializer<T> {
    private final Function<T, byte[]> bytes;

    BytesSerializer(Class<T> type, Function<T, byte[]> bytes) {
      super(type);
      this.bytes = bytes;
    }

    @Override
    public void serialize(T value, JsonGenerator generator, SerializerProvider provider)
        throws IOException {
      generator.writeBinary(bytes.apply(value));
    }
  }

  private static final class ByteStringDeserializer extends JsonDeserializer<ByteString> {
    @Override
    public ByteString deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      return ByteString.copyFrom(parser.getBinaryValue());
    }
  }

  /** Finds the parser of whichever generated message type a field declares. */
  private static final class MessageDeserializers extends Deserializers.Base {
    @Override
    public JsonDeserializer<?> findBeanDeserializer(
        JavaType type, DeserializationConfig config, BeanDescription description) {
      if (!Message.class.isAssignableFrom(type.getRawClass())) {
        return null;
      }
      Parser<?> parser = parserOf(type.getRawClass());
      return new JsonDeserializer<Object>() {
        @Override
        public Object deserialize(JsonParser json, DeserializationContext context)
            throws IOException {
          try {
            return parser.parseFrom(json.getBinaryValue());
          } catch (InvalidProtocolBufferException e) {
            throw new IOException("not a valid " + type.getRawClass().getSimpleName(), e);
          }
        }
      };
    }

    private static Parser<?> parserOf(Class<?> messageType) {
      try {
        return (Parser<?>) messageType.getMethod("parser").invoke(null);
      } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
        throw new IllegalArgumentException(messageType + " is not a generated protobuf message", e);
      }
    }
  }
}
