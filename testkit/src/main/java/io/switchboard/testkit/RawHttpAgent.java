package io.switchboard.testkit;

import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ServerToAgent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** A hand-driven OpAMP-over-HTTP client: sends exactly the request a test wants. */
public final class RawHttpAgent {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final URI endpoint;

  public RawHttpAgent(int port) {
    this.endpoint = URI.create("http://127.0.0.1:" + port + "/v1/opamp");
  }

  /** Polls with the message and decodes the answer. */
  public Answer poll(AgentToServer message) {
    return post(request().POST(HttpRequest.BodyPublishers.ofByteArray(message.toByteArray())));
  }

  public HttpRequest.Builder request() {
    return HttpRequest.newBuilder(endpoint)
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-protobuf");
  }

  public Answer post(HttpRequest.Builder request) {
    try {
      HttpResponse<byte[]> response =
          CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      boolean gzipped = response.headers().firstValue("Content-Encoding").orElse("").equals("gzip");
      byte[] body = gzipped ? gunzip(response.body()) : response.body();
      return new Answer(response.statusCode(), gzipped, ServerToAgent.parseFrom(body), response);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("the server answered with something that is not a ServerToAgent", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Just the status, for answers that carry no ServerToAgent (401, ...). */
  public int postForStatus(HttpRequest.Builder request) {
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] gunzip(byte[] bytes) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    }
  }

  public record Answer(
      int status, boolean gzipped, ServerToAgent message, HttpResponse<byte[]> response) {}
}
