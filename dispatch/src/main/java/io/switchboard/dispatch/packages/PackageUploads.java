package io.switchboard.dispatch.packages;

import io.switchboard.observability.PackageMetrics;
import io.switchboard.persistence.packages.Package;
import io.switchboard.persistence.packages.PackageStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Streams an upload into the package's chunk rows: the bytes are cut into {@link
 * PackageStore#CHUNK_BYTES} pieces and written one at a time while their SHA-256 is computed, so a
 * node holds one chunk of it at most. Past {@code max-size} the upload stops (413); content whose
 * hash is not the declared one is dropped (422). Only a complete, matching upload makes the package
 * downloadable.
 */
public final class PackageUploads {

  /** How an upload ended: stored, or refused with an HTTP-like status and why. */
  public sealed interface Outcome {}

  public record Stored(Package pkg) implements Outcome {}

  public record Refused(int status, String detail) implements Outcome {}

  private static final class TooLarge extends RuntimeException {
    TooLarge() {
      super("too large", null, false, false);
    }
  }

  private final PackageStore store;
  private final long maxBytes;

  public PackageUploads(PackageStore store, PackageSettings settings) {
    this.store = store;
    this.maxBytes = settings.maxBytes();
  }

  public long maxBytes() {
    return maxBytes;
  }

  /** Why the declared length is refused at once (413), or empty. */
  public Optional<Refused> declared(long contentLength) {
    if (contentLength > maxBytes) {
      PackageMetrics.uploadsRefused("too-large").increment();
      return Optional.of(tooLarge());
    }
    return Optional.empty();
  }

  public CompletionStage<Outcome> upload(
      String name, String version, Source<ByteString, ?> data, String actor, Materializer mat) {
    return store
        .find(name, version)
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return refused(404, "no package " + name + " " + version);
              }
              if (found.get().downloadUrl() != null) {
                return refused(
                    409, "this package is downloaded from its download_url; it takes no content");
              }
              if (found.get().size() != null) {
                return refused(
                    409, "this package has its content already; delete it and create it again");
              }
              return store
                  .dropContent(name, version)
                  .thenCompose(dropped -> stream(found.get(), data, actor, mat));
            });
  }

  private CompletionStage<Outcome> stream(
      Package pkg, Source<ByteString, ?> data, String actor, Materializer mat) {
    MessageDigest digest = sha256();
    long[] total = {0};
    CompletionStage<Long> written =
        data.map(
                bytes -> {
                  total[0] += bytes.size();
                  if (total[0] > maxBytes) {
                    throw new TooLarge();
                  }
                  bytes.getByteBuffers().forEach(digest::update);
                  return bytes;
                })
            .statefulMap(
                ByteString::emptyByteString,
                (buffer, bytes) -> cut(buffer.concat(bytes)),
                rest -> rest.isEmpty() ? Optional.empty() : Optional.of(List.of(rest)))
            .mapConcat(chunks -> chunks)
            .zipWithIndex()
            .mapAsync(
                1,
                chunk ->
                    store.writeChunk(
                        pkg.name(),
                        pkg.version(),
                        chunk.second().intValue(),
                        chunk.first().asByteBuffer()))
            .runWith(Sink.fold(0L, (count, one) -> count + 1), mat);
    return written
        .handle(
            (chunks, failure) -> {
              if (failure != null) {
                Throwable cause = failure.getCause() == null ? failure : failure.getCause();
                if (failure instanceof TooLarge || cause instanceof TooLarge) {
                  PackageMetrics.uploadsRefused("too-large").increment();
                  return dropThen(pkg, tooLarge());
                }
                return store
                    .dropContent(pkg.name(), pkg.version())
                    .<Outcome>thenCompose(dropped -> CompletableFuture.failedFuture(failure));
              }
              byte[] hash = digest.digest();
              if (!Arrays.equals(hash, pkg.contentHash())) {
                PackageMetrics.uploadsRefused("hash-mismatch").increment();
                return dropThen(
                    pkg,
                    new Refused(
                        422,
                        "the content's SHA-256 is "
                            + HexFormat.of().formatHex(hash)
                            + ", not the declared "
                            + HexFormat.of().formatHex(pkg.contentHash())));
              }
              return complete(pkg, total[0], actor);
            })
        .thenCompose(outcome -> outcome);
  }

  private CompletionStage<Outcome> complete(Package pkg, long size, String actor) {
    return store
        .completeUpload(pkg.name(), pkg.version(), size, actor)
        .thenCompose(
            completed ->
                completed
                    ? store
                        .find(pkg.name(), pkg.version())
                        .<Outcome>thenApply(found -> new Stored(found.orElseThrow()))
                    : refused(409, "another upload of this package completed first"));
  }

  private CompletionStage<Outcome> dropThen(Package pkg, Refused refusal) {
    return store.dropContent(pkg.name(), pkg.version()).thenApply(dropped -> refusal);
  }

  private Refused tooLarge() {
    return new Refused(413, "package content is limited to " + maxBytes + " bytes (max-size)");
  }

  /** Full chunks out of {@code buffer}, and what is left for the next bytes. */
  private static Pair<ByteString, List<ByteString>> cut(ByteString buffer) {
    List<ByteString> full = new ArrayList<>();
    ByteString rest = buffer;
    while (rest.size() >= PackageStore.CHUNK_BYTES) {
      full.add(rest.take(PackageStore.CHUNK_BYTES).compact());
      rest = rest.drop(PackageStore.CHUNK_BYTES);
    }
    return Pair.create(rest, full);
  }

  private static CompletionStage<Outcome> refused(int status, String detail) {
    return CompletableFuture.completedFuture(new Refused(status, detail));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
