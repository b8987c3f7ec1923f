package io.switchboard.api.agents;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.http.Json;
import io.switchboard.api.http.Operator;
import io.switchboard.api.http.Problem;
import io.switchboard.api.http.QueryParameters;
import io.switchboard.dispatch.AgentRecordActions;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The agent's record itself, for OPERATOR: {@code DELETE /api/agents/{id}} removes the agent now
 * (its session is closed; if it reports again it comes back as a new agent), and {@code DELETE
 * /api/agents/{id}/credential} resets the binding of its identity to the credential it was first
 * seen with, for a legitimate re-enrolment (its next session binds it again). {@code GET
 * /api/agents/{id}/certificates} lists the client certificates the server's CA issued it, and
 * {@code POST /api/agents/{id}/certificates/{serial}/revoke} revokes one. Changes are audited.
 */
public final class AgentRecordRoutes {

  private static final int MAX_CERTIFICATES = 100;
  private static final Pattern SERIAL = Pattern.compile("[0-9a-fA-F]{1,64}");

  private final AgentRecordActions actions;
  private final ObjectMapper json;

  public AgentRecordRoutes(AgentRecordActions actions, ObjectMapper json) {
    this.actions = actions;
    this.json = json;
  }

  public Route route() {
    return pathPrefix(
        "agents",
        () ->
            pathPrefix(
                segment(),
                id ->
                    concat(
                        pathEnd(() -> delete(() -> Operator.named(actor -> remove(id, actor)))),
                        path(
                            "credential",
                            () ->
                                delete(() -> Operator.named(actor -> resetCredential(id, actor)))),
                        path("certificates", () -> get(() -> certificates(id))),
                        path(
                            segment("certificates").slash(segment()).slash("revoke"),
                            serial ->
                                post(() -> Operator.named(actor -> revoke(id, serial, actor)))))));
  }

  /** The certificates the server's CA issued the agent, newest first; never their keys. */
  private Route certificates(String id) {
    String instanceUid;
    try {
      instanceUid = QueryParameters.instanceUid(id);
    } catch (IllegalArgumentException e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return onSuccess(
        actions.certificates(instanceUid, MAX_CERTIFICATES),
        issued ->
            Json.respond(
                json,
                StatusCodes.OK,
                Map.of(
                    "items",
                    issued.stream()
                        .map(
                            certificate -> {
                              Map<String, Object> view = new LinkedHashMap<>();
                              view.put("serial", certificate.serial());
                              view.put("subject", certificate.subject());
                              view.put("issued_at", certificate.issuedAt().toString());
                              view.put("not_after", certificate.notAfter().toString());
                              view.put("revoked", certificate.revokedAt() != null);
                              view.put(
                                  "revoked_at",
                                  certificate.revokedAt() == null
                                      ? null
                                      : certificate.revokedAt().toString());
                              view.put("certificate_pem", certificate.certificatePem());
                              return view;
                            })
                        .toList())));
  }

  private Route revoke(String id, String serial, String actor) {
    String instanceUid;
    try {
      instanceUid = QueryParameters.instanceUid(id);
    } catch (IllegalArgumentException e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    if (!SERIAL.matcher(serial).matches()) {
      return complete(
          Problem.response(StatusCodes.BAD_REQUEST, "a serial is hexadecimal, 1 to 64 digits"));
    }
    return onSuccess(
        actions.revokeCertificate(instanceUid, serial.toLowerCase(Locale.ROOT), actor),
        found ->
            found
                ? Json.respond(
                    json,
                    StatusCodes.OK,
                    Map.of("instance_uid", instanceUid, "serial", serial, "revoked", true))
                : complete(
                    Problem.response(
                        StatusCodes.NOT_FOUND,
                        "agent " + instanceUid + " has no unrevoked certificate " + serial)));
  }

  private Route remove(String id, String actor) {
    String instanceUid;
    try {
      instanceUid = QueryParameters.instanceUid(id);
    } catch (IllegalArgumentException e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return onSuccess(
        actions.remove(instanceUid, actor),
        found ->
            found
                ? Json.respond(
                    json, StatusCodes.OK, Map.of("instance_uid", instanceUid, "removed", true))
                : complete(Problem.response(StatusCodes.NOT_FOUND, "no agent " + instanceUid)));
  }

  private Route resetCredential(String id, String actor) {
    String instanceUid;
    try {
      instanceUid = QueryParameters.instanceUid(id);
    } catch (IllegalArgumentException e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return onSuccess(
        actions.resetCredential(instanceUid, actor),
        found ->
            found
                ? Json.respond(
                    json,
                    StatusCodes.OK,
                    Map.of("instance_uid", instanceUid, "credential", "reset"))
                : complete(Problem.response(StatusCodes.NOT_FOUND, "no agent " + instanceUid)));
  }
}
