package io.switchboard.cli.commands;

import static io.switchboard.cli.output.JsonText.at;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.cli.client.ApiClient;
import io.switchboard.cli.client.CliException;
import io.switchboard.cli.client.CliSettings;
import io.switchboard.cli.client.ExitCode;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard login}: signs in with a password once, makes an API token for this machine,
 * and keeps it (with the server) in the config file, so that later commands need no flags.
 */
@Command(
    name = "login",
    description = {
      "Signs in with a password, makes an API token for this CLI and saves it, with the server,",
      "in the config file (readable by you alone). The session itself is ended at once."
    },
    mixinStandardHelpOptions = true)
public final class LoginCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--username", required = true)
  String username;

  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      description = "Read the password from this file's first line (else stdin, else a prompt).")
  Path passwordFile;

  @Option(names = "--password-stdin", description = "Read the password from standard input.")
  boolean passwordStdin;

  @Option(names = "--name", description = "The token's name (default: switchboard-cli on HOST).")
  String name;

  @Option(names = "--role", description = "The token's role (default: your own).")
  String role;

  @Option(
      names = "--expires-in",
      description = "An ISO-8601 duration, e.g. P90D (default: the server's).")
  String expiresIn;

  @Override
  public Integer call() {
    Cli cli = Cli.of(spec);
    String server = cli.api().server();
    ApiClient session;
    try {
      session = ApiClient.signIn(server, cli.json(), username, password());
    } catch (CliException e) {
      if (e.exitCode() == ExitCode.DENIED) {
        throw new CliException(ExitCode.DENIED, "sign-in refused for " + username, e);
      }
      throw e;
    }
    ObjectNode body =
        cli.json().createObjectNode().put("name", name == null ? defaultName() : name);
    if (role != null) {
      body.put("role", role);
    }
    if (expiresIn != null) {
      body.put("expires_in", expiresIn);
    }
    JsonNode token = session.post("/api/tokens", body);
    session.delete("/api/session");
    Map<String, String> saved = new LinkedHashMap<>();
    saved.put("server", server);
    saved.put("token", at(token, "/token"));
    saved.put("token_id", at(token, "/id"));
    Path file = CliSettings.save(cli.env(), saved);
    cli.output()
        .out()
        .println(
            "signed in to "
                + server
                + " as "
                + username
                + ": token "
                + at(token, "/name")
                + " ("
                + at(token, "/role")
                + ", expires "
                + at(token, "/expires_at")
                + ") saved in "
                + file);
    cli.output().out().flush();
    return 0;
  }

  private String password() {
    try {
      if (passwordFile != null) {
        return firstLine(Files.newBufferedReader(passwordFile, StandardCharsets.UTF_8));
      }
      if (passwordStdin) {
        return firstLine(
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
      }
    } catch (IOException e) {
      throw new CliException(ExitCode.USAGE, "cannot read the password: " + e.getMessage());
    }
    Console console = System.console();
    if (console == null) {
      throw new CliException(
          ExitCode.USAGE,
          "no terminal to ask for the password: use --password-stdin or --password-file");
    }
    char[] typed = console.readPassword("password for %s: ", username);
    if (typed == null) {
      throw new CliException(ExitCode.USAGE, "no password given");
    }
    return new String(typed);
  }

  private static String firstLine(BufferedReader reader) throws IOException {
    try (reader) {
      String line = reader.readLine();
      if (line == null || line.isEmpty()) {
        throw new CliException(ExitCode.USAGE, "the password is empty");
      }
      return line;
    }
  }

  /** {@code switchboard-cli on HOST}, in the characters a token's name may hold. */
  private static String defaultName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
    } catch (IOException e) {
      return "switchboard-cli";
    }
    String name = "switchboard-cli on " + host;
    return name.length() > 64 ? name.substring(0, 64) : name;
  }
}
