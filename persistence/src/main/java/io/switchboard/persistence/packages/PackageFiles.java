package io.switchboard.persistence.packages;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Package content kept in a directory instead of PostgreSQL: one file per package, written and read
 * a chunk ({@link PackageStore#CHUNK_BYTES}) at a time at its offset, with asynchronous file
 * channels, so neither an upload nor a download holds a package in memory or blocks a thread of the
 * caller. File names are the hex of the name and version, so no name can point outside the
 * directory. Every node serving downloads must see the same directory (a shared volume).
 */
final class PackageFiles {

  private final Path directory;

  PackageFiles(Path directory) {
    this.directory = directory;
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new IllegalStateException("cannot make the package directory " + directory, e);
    }
  }

  Path file(String name, String version) {
    HexFormat hex = HexFormat.of();
    return directory.resolve(
        hex.formatHex(name.getBytes(StandardCharsets.UTF_8))
            + "-"
            + hex.formatHex(version.getBytes(StandardCharsets.UTF_8))
            + ".pkg");
  }

  CompletionStage<Long> write(String name, String version, int seq, ByteBuffer data) {
    CompletableFuture<Long> written = new CompletableFuture<>();
    try {
      AsynchronousFileChannel channel =
          AsynchronousFileChannel.open(
              file(name, version), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      writeAll(channel, data, (long) seq * PackageStore.CHUNK_BYTES, written);
    } catch (IOException e) {
      written.completeExceptionally(e);
    }
    return written;
  }

  private static void writeAll(
      AsynchronousFileChannel channel,
      ByteBuffer data,
      long position,
      CompletableFuture<Long> written) {
    channel.write(
        data,
        position,
        null,
        new CompletionHandler<Integer, Void>() {
          @Override
          public void completed(Integer count, Void attachment) {
            if (data.hasRemaining()) {
              writeAll(channel, data, position + count, written);
            } else {
              close(channel);
              written.complete(1L);
            }
          }

          @Override
          public void failed(Throwable failure, Void attachment) {
            close(channel);
            written.completeExceptionally(failure);
          }
        });
  }

  CompletionStage<Optional<byte[]>> read(String name, String version, int seq) {
    CompletableFuture<Optional<byte[]>> read = new CompletableFuture<>();
    try {
      AsynchronousFileChannel channel =
          AsynchronousFileChannel.open(file(name, version), StandardOpenOption.READ);
      ByteBuffer buffer = ByteBuffer.allocate(PackageStore.CHUNK_BYTES);
      readAll(channel, buffer, (long) seq * PackageStore.CHUNK_BYTES, read);
    } catch (NoSuchFileException e) {
      read.complete(Optional.empty());
    } catch (IOException e) {
      read.completeExceptionally(e);
    }
    return read;
  }

  private static void readAll(
      AsynchronousFileChannel channel,
      ByteBuffer buffer,
      long position,
      CompletableFuture<Optional<byte[]>> read) {
    channel.read(
        buffer,
        position,
        null,
        new CompletionHandler<Integer, Void>() {
          @Override
          public void completed(Integer count, Void attachment) {
            if (count > 0 && buffer.hasRemaining()) {
              readAll(channel, buffer, position + count, read);
              return;
            }
            close(channel);
            read.complete(
                buffer.position() == 0
                    ? Optional.empty()
                    : Optional.of(Arrays.copyOf(buffer.array(), buffer.position())));
          }

          @Override
          public void failed(Throwable failure, Void attachment) {
            close(channel);
            read.completeExceptionally(failure);
          }
        });
  }

  CompletionStage<Long> delete(String name, String version) {
    try {
      return CompletableFuture.completedFuture(Files.deleteIfExists(file(name, version)) ? 1L : 0L);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static void close(AsynchronousFileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Nothing was left to write or read on it.
    }
  }
}
