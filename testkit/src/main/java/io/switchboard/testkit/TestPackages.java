package io.switchboard.testkit;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

/**
 * Packages through the operator API and downloads from the OpAMP port, for tests: metadata as JSON,
 * content as raw bytes (with a Content-Length, or chunked so the server cannot know the size in
 * advance), downloads as bytes.
 */
public final class TestPackages {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestPackages() {}

  /** SHA-256 of {@code content}, in hex as the API takes it. */
  public static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code content} of the given size whose bytes are not all the same. */
  public static byte[] content(int size) {
    byte[] content = new byte[size];
    for (int i = 0; i < size; i++) {
      content[i] = (byte) (i * 31 + i / 251);
    }
    return content;
  }

  /** {@code POST /api/packages} for an uploaded addon whose declared hash is {@code hash}. */
  public static HttpResponse<String> create(int apiPort, String name, String version, String hash) {
    return HttpProbe.send(
        apiPort,
        "POST",
        "/api/packages",
        "{\"name\": \""
            + name
            + "\", \"version\": \""
            + version
            + "\", \"type\": \"addon\", \"hash\": \""
            + hash
            + "\"}");
  }

  /** {@code PUT .../content}; {@code chunked} leaves the length out. */
  public static HttpResponse<String> upload(
      int apiPort, String name, String version, byte[] content, boolean chunked) {
    HttpRequest.BodyPublisher body =
        chunked
            ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(content))
            : HttpRequest.BodyPublishers.ofByteArray(content);
    return send(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + apiPort
                        + "/api/packages/"
                        + name
                        + "/"
                        + version
                        + "/content"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/octet-stream")
            .header("X-CSRF-Token", "probe")
            .PUT(body),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A GET of {@code url} with {@code headers} (Range, Authorization), its body as bytes. */
  public static HttpResponse<byte[]> download(String url, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
    headers.forEach(request::header);
    return send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  private static <T> HttpResponse<T> send(
      HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
    try {
      return CLIENT.send(request.build(), handler);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
