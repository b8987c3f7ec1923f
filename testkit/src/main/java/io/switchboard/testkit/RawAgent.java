package io.switchboard.testkit;

import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.PackageAvailable;
import io.switchboard.opamp.proto.PackageStatus;
import io.switchboard.opamp.proto.PackageStatusEnum;
import io.switchboard.opamp.proto.PackageStatuses;
import io.switchboard.opamp.proto.PackagesAvailable;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.wire.MalformedFrameException;
import io.switchboard.opamp.wire.OpampFrames;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-driven OpAMP peer over the JDK's WebSocket client: it sends exactly the bytes a test wants
 * (valid frames, garbage, oversized messages) and records what the server sends back.
 */
public final class RawAgent implements AutoCloseable {

  /** One client for all agents of a test run: its selector thread serves every socket. */
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private final WebSocket socket;
  private final BlockingQueue<ServerToAgent> received = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final AtomicInteger pings = new AtomicInteger();

  private RawAgent(WebSocket socket) {
    this.socket = socket;
  }

  public static RawAgent connect(int port) throws Exception {
    return connect(port, Map.of());
  }

  public static RawAgent connect(int port, Map<String, String> headers) throws Exception {
    return connect(URI.create("ws://127.0.0.1:" + port + "/v1/opamp"), CLIENT, headers);
  }

  public static RawAgent connect(URI endpoint, HttpClient client, Map<String, String> headers)
      throws Exception {
    Listener listener = new Listener();
    WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(20));
    headers.forEach(builder::header);
    WebSocket socket = builder.buildAsync(endpoint, listener).get(30, TimeUnit.SECONDS);
    RawAgent agent = new RawAgent(socket);
    listener.ready.complete(agent);
    return agent;
  }

  public void send(AgentToServer message) throws Exception {
    sendBytes(OpampFrames.encode(message));
  }

  public void sendBytes(byte[] bytes) throws Exception {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).get(10, TimeUnit.SECONDS);
  }

  /** Sends one message split over several WebSocket frames (a streamed message on the server). */
  public void sendFragmented(byte[] bytes, int fragmentSize) throws Exception {
    for (int offset = 0; offset < bytes.length; offset += fragmentSize) {
      int length = Math.min(fragmentSize, bytes.length - offset);
      boolean last = offset + length >= bytes.length;
      socket.sendBinary(ByteBuffer.wrap(bytes, offset, length), last).get(10, TimeUnit.SECONDS);
    }
  }

  public void sendText(String text) throws Exception {
    socket.sendText(text, true).get(10, TimeUnit.SECONDS);
  }

  /** The next message from the server, waiting up to 10 seconds. */
  public ServerToAgent receive() throws InterruptedException {
    return receive(Duration.ofSeconds(10));
  }

  /** The next message from the server, waiting up to {@code patience}. */
  public ServerToAgent receive(Duration patience) throws InterruptedException {
    ServerToAgent message = received.poll(patience.toMillis(), TimeUnit.MILLISECONDS);
    if (message == null) {
      throw new AssertionError("no ServerToAgent within " + patience);
    }
    return message;
  }

  /** The next message from the server if one comes within {@code patience}. */
  public Optional<ServerToAgent> poll(Duration patience) throws InterruptedException {
    return Optional.ofNullable(received.poll(patience.toMillis(), TimeUnit.MILLISECONDS));
  }

  /** The next message that offers packages, skipping others, waiting up to {@code patience}. */
  public Optional<PackagesAvailable> nextPackageOffer(Duration patience)
      throws InterruptedException {
    long until = System.nanoTime() + patience.toNanos();
    while (System.nanoTime() < until) {
      Optional<ServerToAgent> next = poll(Duration.ofMillis(100));
      if (next.isPresent() && next.get().hasPackagesAvailable()) {
        return Optional.of(next.get().getPackagesAvailable());
      }
    }
    return Optional.empty();
  }

  /**
   * Does what an agent does with a package offer: downloads each package's file from its URL (with
   * {@code headers}), checks the content against the offered SHA-256 and reports each package
   * INSTALLED, or INSTALL_FAILED with why. Returns the {@code PackageStatuses} to report.
   */
  public static PackageStatuses install(PackagesAvailable offer, Map<String, String> headers)
      throws Exception {
    PackageStatuses.Builder statuses =
        PackageStatuses.newBuilder().setServerProvidedAllPackagesHash(offer.getAllPackagesHash());
    for (Map.Entry<String, PackageAvailable> entry : offer.getPackagesMap().entrySet()) {
      PackageAvailable pkg = entry.getValue();
      PackageStatus.Builder status =
          PackageStatus.newBuilder()
              .setName(entry.getKey())
              .setServerOfferedVersion(pkg.getVersion())
              .setServerOfferedHash(pkg.getHash());
      java.net.http.HttpRequest.Builder get =
          java.net.http.HttpRequest.newBuilder(URI.create(pkg.getFile().getDownloadUrl()))
              .timeout(Duration.ofSeconds(30));
      headers.forEach(get::header);
      pkg.getFile()
          .getHeaders()
          .getHeadersList()
          .forEach(h -> get.header(h.getKey(), h.getValue()));
      java.net.http.HttpResponse<byte[]> downloaded =
          CLIENT.send(get.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
      byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(downloaded.body());
      if (downloaded.statusCode() != 200) {
        status
            .setStatus(PackageStatusEnum.PackageStatusEnum_InstallFailed)
            .setErrorMessage("download answered " + downloaded.statusCode());
      } else if (!java.util.Arrays.equals(hash, pkg.getFile().getContentHash().toByteArray())) {
        status
            .setStatus(PackageStatusEnum.PackageStatusEnum_InstallFailed)
            .setErrorMessage("the downloaded content does not match its content_hash");
      } else {
        status
            .setStatus(PackageStatusEnum.PackageStatusEnum_Installed)
            .setAgentHasVersion(pkg.getVersion())
            .setAgentHasHash(pkg.getHash());
      }
      statuses.putPackages(entry.getKey(), status.build());
    }
    return statuses.build();
  }

  /** WebSocket pings the server sent so far (the JDK client answers each with a pong). */
  public int pings() {
    return pings.get();
  }

  /** Completes with the close code the server sent. */
  public CompletableFuture<Integer> closeCode() {
    return closeCode;
  }

  @Override
  public void close() {
    socket.abort();
  }

  private static final class Listener implements WebSocket.Listener {
    private final CompletableFuture<RawAgent> ready = new CompletableFuture<>();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      byte[] chunk = new byte[data.remaining()];
      data.get(chunk);
      partial.writeBytes(chunk);
      if (last) {
        byte[] frame = partial.toByteArray();
        partial.reset();
        ready.thenAccept(agent -> agent.received.add(decode(frame)));
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
      ready.thenAccept(agent -> agent.pings.incrementAndGet());
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      ready.thenAccept(agent -> agent.closeCode.complete(statusCode));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      ready.thenAccept(agent -> agent.closeCode.completeExceptionally(error));
    }

    private static ServerToAgent decode(byte[] frame) {
      try {
        return OpampFrames.decodeServerToAgent(ByteBuffer.wrap(frame));
      } catch (MalformedFrameException e) {
        throw new AssertionError("the server sent a malformed frame", e);
      }
    }
  }
}
