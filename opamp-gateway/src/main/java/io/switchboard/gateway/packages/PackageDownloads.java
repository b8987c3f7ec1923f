package io.switchboard.gateway.packages;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.switchboard.gateway.auth.AgentTokens;
import io.switchboard.observability.PackageMetrics;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.persistence.packages.Package;
import io.switchboard.persistence.packages.PackageStore;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code GET /v1/packages/{name}/{version}} on the OpAMP port: the content of an uploaded package,
 * streamed from PostgreSQL one chunk at a time, with its length, its SHA-256 ({@code ETag} and
 * {@code Repr-Digest}) and single byte ranges (206), so an agent can resume a download. Whoever may
 * speak OpAMP may download: the same agent token is asked for (and with mutual TLS the same client
 * certificate, at the connection).
 */
public final class PackageDownloads {

  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

  private PackageDownloads() {}

  public static Route route(AgentTokens tokens, PackageStore store) {
    return path(
        segment("v1").slash("packages").slash(segment()).slash(segment()),
        (name, version) ->
            get(
                () ->
                    optionalHeaderValueByName(
                        "Authorization",
                        authorization -> {
                          if (tokens.fleetFor(authorization).isEmpty()) {
                            SwitchboardMetrics.agentAuthFailures().increment();
                            return answer(
                                HttpResponse.create()
                                    .withStatus(StatusCodes.UNAUTHORIZED)
                                    .addHeader(
                                        WWWAuthenticate.create(
                                            HttpChallenge.create("Bearer", "opamp")))
                                    .withEntity("missing or invalid agent token"));
                          }
                          return optionalHeaderValueByName(
                              "Range",
                              range ->
                                  onSuccess(
                                      store.find(name, version),
                                      found -> serve(store, found, range)));
                        })));
  }

  private static Route serve(PackageStore store, Optional<Package> found, Optional<String> range) {
    if (found.isEmpty() || found.get().size() == null) {
      return answer(
          HttpResponse.create()
              .withStatus(StatusCodes.NOT_FOUND)
              .withEntity(
                  found.isEmpty()
                      ? "no such package"
                      : "this package has no uploaded content here"));
    }
    Package pkg = found.get();
    long size = pkg.size();
    List<HttpHeader> headers =
        List.of(
            RawHeader.create("Accept-Ranges", "bytes"),
            RawHeader.create("ETag", "\"" + HexFormat.of().formatHex(pkg.contentHash()) + "\""),
            RawHeader.create(
                "Repr-Digest",
                "sha-256=:" + Base64.getEncoder().encodeToString(pkg.contentHash()) + ":"));
    long start = 0;
    long end = size - 1;
    StatusCode status = StatusCodes.OK;
    // Only a single range is honoured; anything else is answered with the whole content.
    Matcher matcher = range.map(RANGE::matcher).filter(Matcher::matches).orElse(null);
    if (matcher != null && !(matcher.group(1).isEmpty() && matcher.group(2).isEmpty())) {
      try {
        if (matcher.group(1).isEmpty()) {
          start = Math.max(0, size - Long.parseLong(matcher.group(2)));
        } else {
          start = Long.parseLong(matcher.group(1));
          if (!matcher.group(2).isEmpty()) {
            end = Math.min(end, Long.parseLong(matcher.group(2)));
          }
        }
      } catch (NumberFormatException tooLong) {
        start = size;
      }
      if (start >= size || start > end) {
        return answer(
            HttpResponse.create()
                .withStatus(StatusCodes.RANGE_NOT_SATISFIABLE)
                .addHeader(RawHeader.create("Content-Range", "bytes */" + size)));
      }
      status = StatusCodes.PARTIAL_CONTENT;
    }
    HttpResponse response =
        HttpResponse.create()
            .withStatus(status)
            .addHeaders(headers)
            .withEntity(
                HttpEntities.create(
                    ContentTypes.APPLICATION_OCTET_STREAM,
                    end - start + 1,
                    content(store, pkg, start, end)));
    if (status == StatusCodes.PARTIAL_CONTENT) {
      response =
          response.addHeader(
              RawHeader.create("Content-Range", "bytes " + start + "-" + end + "/" + size));
    }
    return answer(response);
  }

  /** Bytes {@code start} to {@code end} (inclusive), read one chunk row at a time. */
  private static Source<ByteString, ?> content(
      PackageStore store, Package pkg, long start, long end) {
    long chunk = PackageStore.CHUNK_BYTES;
    return Source.range((int) (start / chunk), (int) (end / chunk))
        .mapAsync(
            1,
            seq ->
                store
                    .chunk(pkg.name(), pkg.version(), seq)
                    .thenApply(
                        data -> {
                          byte[] bytes =
                              data.orElseThrow(
                                  () ->
                                      new IllegalStateException(
                                          "package " + pkg.name() + " lost its content"));
                          long chunkStart = seq * chunk;
                          int from = (int) (Math.max(start, chunkStart) - chunkStart);
                          int to =
                              (int) (Math.min(end + 1, chunkStart + bytes.length) - chunkStart);
                          PackageMetrics.bytesServed().increment(to - from);
                          return ByteString.fromArray(bytes, from, to - from);
                        }));
  }

  private static Route answer(HttpResponse response) {
    PackageMetrics.downloads(String.valueOf(response.status().intValue())).increment();
    return complete(response);
  }
}
