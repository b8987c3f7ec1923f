package io.switchboard.cli.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.cli.client.CliException;
import io.switchboard.cli.client.ExitCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Files on disk as the API's {@code config_map}: each under its file name, its content type from
 * its extension, its body as text when it is UTF-8 without U+0000 and as base64 otherwise, so that
 * any file arrives byte for byte.
 */
public final class ConfigFiles {

  private ConfigFiles() {}

  public static ObjectNode configMap(List<Path> files, ObjectMapper json) {
    ObjectNode configMap = json.createObjectNode();
    for (Path file : files) {
      String name = file.getFileName().toString();
      if (configMap.has(name)) {
        throw new CliException(ExitCode.USAGE, "two files are named " + name);
      }
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new CliException(ExitCode.USAGE, "cannot read " + file + ": " + e.getMessage());
      }
      configMap.set(name, entry(json, contentType(name), bytes));
    }
    return configMap;
  }

  /** One file of a config map. */
  public static ObjectNode entry(ObjectMapper json, String contentType, byte[] bytes) {
    ObjectNode entry = json.createObjectNode().put("content_type", contentType);
    String text = text(bytes);
    if (text != null) {
      entry.put("body", text);
    } else {
      entry.put("body", Base64.getEncoder().encodeToString(bytes)).put("body_encoding", "base64");
    }
    return entry;
  }

  public static String contentType(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
      return "text/yaml";
    }
    if (lower.endsWith(".json")) {
      return "application/json";
    }
    if (lower.endsWith(".toml")) {
      return "application/toml";
    }
    return "text/plain";
  }

  private static String text(byte[] bytes) {
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return text.indexOf('\u0000') >= 0 ? null : text;
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
