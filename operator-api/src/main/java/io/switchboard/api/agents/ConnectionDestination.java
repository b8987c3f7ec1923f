package io.switchboard.api.agents;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.protobuf.ByteString;
import io.switchboard.opamp.ConnectionSecrets;
import io.switchboard.opamp.proto.Header;
import io.switchboard.opamp.proto.Headers;
import io.switchboard.opamp.proto.OpAMPConnectionSettings;
import io.switchboard.opamp.proto.OtherConnectionSettings;
import io.switchboard.opamp.proto.TLSCertificate;
import io.switchboard.opamp.proto.TLSConnectionSettings;
import io.switchboard.opamp.proto.TelemetryConnectionSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One destination of an operator's connection settings: {@code destination_endpoint}, {@code
 * headers} (shown back), {@code secret_headers} (sealed, shown back as {@code "<secret>"}), {@code
 * tls} ({@code ca_pem}, {@code insecure_skip_verify}, {@code include_system_ca_certs_pool}, {@code
 * min_version}), {@code certificate} ({@code cert_pem}, {@code private_key_pem} (sealed), {@code
 * ca_pem}), and for other connections {@code other_settings}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ConnectionDestination(
    @JsonProperty("destination_endpoint") String destinationEndpoint,
    @JsonProperty("headers") Map<String, String> headers,
    @JsonProperty("secret_headers") Map<String, String> secretHeaders,
    @JsonProperty("tls") Tls tls,
    @JsonProperty("certificate") Certificate certificate,
    @JsonProperty("other_settings") Map<String, String> otherSettings) {

  /** Which kind of destination: each takes a different part of the fields. */
  enum Kind {
    OPAMP,
    TELEMETRY,
    OTHER
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Tls(
      @JsonProperty("ca_pem") String caPem,
      @JsonProperty("insecure_skip_verify") Boolean insecureSkipVerify,
      @JsonProperty("include_system_ca_certs_pool") Boolean includeSystemCaCertsPool,
      @JsonProperty("min_version") String minVersion) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Certificate(
      @JsonProperty("cert_pem") String certPem,
      @JsonProperty("private_key_pem") String privateKeyPem,
      @JsonProperty("ca_pem") String caPem) {}

  static final int MAX_ENDPOINT = 2048;
  static final int MAX_HEADERS = 32;
  static final int MAX_HEADER_VALUE = 8192;
  static final int MAX_PEM = 65_536;
  static final int MAX_OTHER_SETTINGS = 32;
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}");
  private static final Pattern URL = Pattern.compile("(?i)(https?|wss?)://\\S+");

  String validate(String field, Kind kind, ConnectionSecrets secrets) {
    if (destinationEndpoint == null || destinationEndpoint.isBlank()) {
      if (kind != Kind.OPAMP) {
        return field + ".destination_endpoint is required";
      }
    } else if (destinationEndpoint.length() > MAX_ENDPOINT) {
      return field + ".destination_endpoint may be at most " + MAX_ENDPOINT + " characters";
    } else if (kind != Kind.OTHER && !URL.matcher(destinationEndpoint).matches()) {
      return field + ".destination_endpoint must be an http(s) or ws(s) URL";
    }
    int count = size(headers) + size(secretHeaders);
    if (count > MAX_HEADERS) {
      return field + " may carry at most " + MAX_HEADERS + " headers";
    }
    for (Map<String, String> group : new Map[] {headers, secretHeaders}) {
      if (group == null) {
        continue;
      }
      for (Map.Entry<String, String> header : group.entrySet()) {
        if (!HEADER_NAME.matcher(header.getKey()).matches()) {
          return field + ": '" + header.getKey() + "' is not a header name";
        }
        if (header.getValue() == null
            || header.getValue().length() > MAX_HEADER_VALUE
            || header.getValue().indexOf('\r') >= 0
            || header.getValue().indexOf('\n') >= 0) {
          return field
              + ": header values must be one line of at most "
              + MAX_HEADER_VALUE
              + " characters";
        }
      }
    }
    boolean secret =
        size(secretHeaders) > 0 || (certificate != null && certificate.privateKeyPem() != null);
    if (secret && !secrets.canSeal()) {
      return field
          + " carries secret values, and no secrets key is configured to seal them"
          + " (switchboard.secrets.key, SWITCHBOARD_SECRETS_KEY)";
    }
    if (kind == Kind.OPAMP && certificate != null) {
      return "opamp.certificate is not set by operators: agents ask for one with a CSR";
    }
    if (kind != Kind.OTHER && otherSettings != null) {
      return field + ".other_settings is only for other_connections";
    }
    if (size(otherSettings) > MAX_OTHER_SETTINGS) {
      return field + ".other_settings may hold at most " + MAX_OTHER_SETTINGS + " entries";
    }
    if (tls != null && (tooLong(tls.caPem()) || tooLong(tls.minVersion()))) {
      return field + ".tls values may be at most " + MAX_PEM + " characters";
    }
    if (certificate != null) {
      if (certificate.certPem() == null || certificate.certPem().isBlank()) {
        return field + ".certificate.cert_pem is required";
      }
      if (tooLong(certificate.certPem())
          || tooLong(certificate.privateKeyPem())
          || tooLong(certificate.caPem())) {
        return field + ".certificate PEMs may be at most " + MAX_PEM + " characters";
      }
    }
    return null;
  }

  OpAMPConnectionSettings opamp(ConnectionSecrets secrets) {
    OpAMPConnectionSettings.Builder settings = OpAMPConnectionSettings.newBuilder();
    if (destinationEndpoint != null) {
      settings.setDestinationEndpoint(destinationEndpoint);
    }
    if (headers != null || secretHeaders != null) {
      settings.setHeaders(headerList(secrets));
    }
    if (tls != null) {
      settings.setTls(tlsSettings());
    }
    return settings.build();
  }

  TelemetryConnectionSettings telemetry(ConnectionSecrets secrets) {
    TelemetryConnectionSettings.Builder settings =
        TelemetryConnectionSettings.newBuilder().setDestinationEndpoint(destinationEndpoint);
    if (headers != null || secretHeaders != null) {
      settings.setHeaders(headerList(secrets));
    }
    if (tls != null) {
      settings.setTls(tlsSettings());
    }
    if (certificate != null) {
      settings.setCertificate(tlsCertificate(secrets));
    }
    return settings.build();
  }

  OtherConnectionSettings other(ConnectionSecrets secrets) {
    OtherConnectionSettings.Builder settings =
        OtherConnectionSettings.newBuilder().setDestinationEndpoint(destinationEndpoint);
    if (headers != null || secretHeaders != null) {
      settings.setHeaders(headerList(secrets));
    }
    if (tls != null) {
      settings.setTls(tlsSettings());
    }
    if (certificate != null) {
      settings.setCertificate(tlsCertificate(secrets));
    }
    if (otherSettings != null) {
      settings.putAllOtherSettings(new TreeMap<>(otherSettings));
    }
    return settings.build();
  }

  /** This destination as stored and shown: secret values replaced. */
  ConnectionDestination shown() {
    Map<String, String> hidden = null;
    if (secretHeaders != null) {
      hidden = new LinkedHashMap<>();
      for (String name : secretHeaders.keySet()) {
        hidden.put(name, ConnectionSecrets.SHOWN);
      }
    }
    return new ConnectionDestination(
        destinationEndpoint,
        headers,
        hidden,
        tls,
        certificate == null
            ? null
            : new Certificate(
                certificate.certPem(),
                certificate.privateKeyPem() == null ? null : ConnectionSecrets.SHOWN,
                certificate.caPem()),
        otherSettings);
  }

  private Headers headerList(ConnectionSecrets secrets) {
    Headers.Builder built = Headers.newBuilder();
    if (headers != null) {
      new TreeMap<>(headers)
          .forEach(
              (name, value) -> built.addHeaders(Header.newBuilder().setKey(name).setValue(value)));
    }
    if (secretHeaders != null) {
      new TreeMap<>(secretHeaders)
          .forEach(
              (name, value) ->
                  built.addHeaders(Header.newBuilder().setKey(name).setValue(secrets.seal(value))));
    }
    return built.build();
  }

  private TLSConnectionSettings tlsSettings() {
    TLSConnectionSettings.Builder settings = TLSConnectionSettings.newBuilder();
    if (tls.caPem() != null) {
      settings.setCaPemContents(tls.caPem());
    }
    if (tls.insecureSkipVerify() != null) {
      settings.setInsecureSkipVerify(tls.insecureSkipVerify());
    }
    if (tls.includeSystemCaCertsPool() != null) {
      settings.setIncludeSystemCaCertsPool(tls.includeSystemCaCertsPool());
    }
    if (tls.minVersion() != null) {
      settings.setMinVersion(tls.minVersion());
    }
    return settings.build();
  }

  private TLSCertificate tlsCertificate(ConnectionSecrets secrets) {
    TLSCertificate.Builder built =
        TLSCertificate.newBuilder().setCert(ByteString.copyFromUtf8(certificate.certPem()));
    if (certificate.privateKeyPem() != null) {
      built.setPrivateKey(ByteString.copyFromUtf8(secrets.seal(certificate.privateKeyPem())));
    }
    if (certificate.caPem() != null) {
      built.setCaCert(ByteString.copyFromUtf8(certificate.caPem()));
    }
    return built.build();
  }

  private static int size(Map<String, String> map) {
    return map == null ? 0 : map.size();
  }

  private static boolean tooLong(String value) {
    return value != null && value.length() > MAX_PEM;
  }
}
