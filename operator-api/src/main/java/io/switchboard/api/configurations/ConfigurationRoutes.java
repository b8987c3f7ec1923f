package io.switchboard.api.configurations;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMap;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.put;
import static org.apache.pekko.http.javadsl.server.PathMatchers.integerSegment;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.http.Json;
import io.switchboard.api.http.Operator;
import io.switchboard.api.http.Problem;
import io.switchboard.dispatch.RemoteConfigs;
import io.switchboard.opamp.ConfigHash;
import io.switchboard.opamp.json.ConfigMapJson;
import io.switchboard.opamp.proto.AgentConfigMap;
import io.switchboard.persistence.configurations.ConfigurationStore;
import io.switchboard.persistence.configurations.VersionState;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/configurations}: create a configuration, add versions (drafts), edit a draft, publish
 * or archive a version, read them, and diff two versions.
 */
public final class ConfigurationRoutes {

  /** Names go into URLs and audit targets: kept to letters, digits, '.', '_' and '-'. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private final ConfigurationStore configurations;
  private final ObjectMapper json;

  /** Largest config, as agents receive it: it crosses nodes in one message. */
  private final long maxConfigBytes;

  public ConfigurationRoutes(
      ConfigurationStore configurations, long maxConfigBytes, ObjectMapper json) {
    this.maxConfigBytes = maxConfigBytes;
    this.configurations = configurations;
    this.json = json;
  }

  record NewConfiguration(String name, String description) {}

  /**
   * A version's files and, from {@code switchboard apply --commit}, the commit of the file that
   * declared it.
   */
  record NewVersion(
      @JsonProperty("config_map") JsonNode configMap,
      @JsonProperty("source_commit") String sourceCommit) {}

  /** Printable ASCII, as a commit hash or a tag is; anything else is refused rather than stored. */
  private static final Pattern SOURCE_COMMIT = Pattern.compile("[\\x21-\\x7e]{1,100}");

  public Route route() {
    return pathPrefix(
        "configurations",
        () ->
            concat(
                pathEnd(
                    () ->
                        concat(
                            get(
                                () ->
                                    onSuccess(
                                        configurations.list(),
                                        all ->
                                            Json.respond(
                                                json,
                                                StatusCodes.OK,
                                                Map.of(
                                                    "configurations",
                                                    all.stream()
                                                        .map(ConfigurationView::of)
                                                        .toList())))),
                            post(
                                () ->
                                    Operator.named(
                                        actor ->
                                            entity(
                                                Jackson.unmarshaller(json, NewConfiguration.class),
                                                body -> create(body, actor)))))),
                pathPrefix(segment(), this::configuration)));
  }

  private Route create(NewConfiguration body, String actor) {
    if (body.name() == null || !NAME.matcher(body.name()).matches()) {
      return complete(
          Problem.response(
              StatusCodes.BAD_REQUEST,
              "name must be 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit"));
    }
    String description = body.description() == null ? "" : body.description();
    return onSuccess(
        configurations.create(body.name(), description, actor),
        created ->
            created
                ? onSuccess(
                    configurations.find(body.name()),
                    found ->
                        Json.respond(
                            json, StatusCodes.CREATED, ConfigurationView.of(found.orElseThrow())))
                : complete(
                    Problem.response(
                        StatusCodes.CONFLICT, "a configuration named " + body.name() + " exists")));
  }

  private Route configuration(String name) {
    return concat(
        pathEnd(
            () ->
                get(
                    () ->
                        onSuccess(
                            configurations.find(name),
                            found ->
                                found.isPresent()
                                    ? Json.respond(
                                        json, StatusCodes.OK, ConfigurationView.of(found.get()))
                                    : notFound(name)))),
        path("diff", () -> get(() -> parameterMap(parameters -> diff(name, parameters)))),
        pathPrefix(
            "versions",
            () ->
                concat(
                    pathEnd(
                        () ->
                            post(
                                () ->
                                    Operator.named(
                                        actor ->
                                            entity(
                                                Jackson.unmarshaller(json, NewVersion.class),
                                                body ->
                                                    withValidSource(
                                                        body,
                                                        () ->
                                                            withValidConfigMap(
                                                                body,
                                                                (configMap, hash) ->
                                                                    addVersion(
                                                                        name,
                                                                        configMap,
                                                                        hash,
                                                                        body.sourceCommit(),
                                                                        actor))))))),
                    pathPrefix(integerSegment(), version -> version(name, version)))));
  }

  private Route addVersion(
      String name, String configMap, byte[] hash, String sourceCommit, String actor) {
    return onSuccess(
        configurations.addVersion(name, configMap, hash, sourceCommit, actor),
        version ->
            version.isEmpty()
                ? notFound(name)
                : onSuccess(
                    configurations.findVersion(name, version.get()),
                    created ->
                        Json.respond(
                            json,
                            StatusCodes.CREATED,
                            VersionView.of(created.orElseThrow(), json))));
  }

  private Route version(String name, int version) {
    return concat(
        pathEnd(
            () ->
                concat(
                    get(
                        () ->
                            onSuccess(
                                configurations.findVersion(name, version),
                                found ->
                                    found.isPresent()
                                        ? Json.respond(
                                            json, StatusCodes.OK, VersionView.of(found.get(), json))
                                        : noVersion(name, version))),
                    put(
                        () ->
                            Operator.named(
                                actor ->
                                    entity(
                                        Jackson.unmarshaller(json, NewVersion.class),
                                        body ->
                                            withValidConfigMap(
                                                body,
                                                (configMap, hash) ->
                                                    changed(
                                                        name,
                                                        version,
                                                        configurations.replaceDraft(
                                                            name, version, configMap, hash, actor),
                                                        "only a draft can be edited; publish a new version instead"))))))),
        path(
            "publish",
            () ->
                post(
                    () ->
                        Operator.named(
                            actor ->
                                changed(
                                    name,
                                    version,
                                    configurations.advance(
                                        name, version, VersionState.PUBLISHED, actor),
                                    "only a draft can be published")))),
        path(
            "archive",
            () ->
                post(
                    () ->
                        Operator.named(
                            actor ->
                                changed(
                                    name,
                                    version,
                                    configurations.advance(
                                        name, version, VersionState.ARCHIVED, actor),
                                    "only a published version can be archived")))));
  }

  private Route changed(
      String name,
      int version,
      CompletionStage<ConfigurationStore.Change> change,
      String notAllowed) {
    return onSuccess(
        change,
        outcome ->
            switch (outcome) {
              case DONE ->
                  onSuccess(
                      configurations.findVersion(name, version),
                      found ->
                          Json.respond(
                              json, StatusCodes.OK, VersionView.of(found.orElseThrow(), json)));
              case NO_SUCH_VERSION -> noVersion(name, version);
              case NOT_ALLOWED -> complete(Problem.response(StatusCodes.CONFLICT, notAllowed));
            });
  }

  private Route diff(String name, Map<String, String> parameters) {
    int from;
    int to;
    try {
      from = Integer.parseInt(parameters.getOrDefault("from", ""));
      to = Integer.parseInt(parameters.getOrDefault("to", ""));
    } catch (NumberFormatException e) {
      return complete(
          Problem.response(StatusCodes.BAD_REQUEST, "diff needs ?from= and ?to= version numbers"));
    }
    return onSuccess(
        configurations.findVersion(name, from),
        older ->
            onSuccess(
                configurations.findVersion(name, to),
                newer -> {
                  if (older.isEmpty()) {
                    return noVersion(name, from);
                  }
                  if (newer.isEmpty()) {
                    return noVersion(name, to);
                  }
                  return Json.respond(
                      json, StatusCodes.OK, ConfigDiff.between(older.get(), newer.get(), json));
                }));
  }

  private static Route withValidSource(NewVersion body, Supplier<Route> inner) {
    if (body.sourceCommit() != null && !SOURCE_COMMIT.matcher(body.sourceCommit()).matches()) {
      return complete(
          Problem.response(
              StatusCodes.BAD_REQUEST,
              "source_commit must be 1 to 100 printable ASCII characters without spaces"));
    }
    return inner.get();
  }

  private Route withValidConfigMap(NewVersion body, BiFunction<String, byte[], Route> inner) {
    String problem = ConfigMapJson.problem(body.configMap());
    if (problem != null) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, problem));
    }
    AgentConfigMap config = ConfigMapJson.fromJson(body.configMap());
    int size = RemoteConfigs.message(config).getSerializedSize();
    if (size > maxConfigBytes) {
      return complete(
          Problem.response(
              StatusCodes.PAYLOAD_TOO_LARGE,
              "the config is "
                  + size
                  + " bytes as agents receive it; the limit is "
                  + maxConfigBytes
                  + " (switchboard.api.max-config-size)"));
    }
    return inner.apply(
        ConfigMapJson.toJson(config).toString(), ConfigHash.of(config).toByteArray());
  }

  private static Route notFound(String name) {
    return complete(Problem.response(StatusCodes.NOT_FOUND, "no configuration " + name));
  }

  private static Route noVersion(String name, int version) {
    return complete(
        Problem.response(
            StatusCodes.NOT_FOUND, "no version " + version + " of configuration " + name));
  }
}
