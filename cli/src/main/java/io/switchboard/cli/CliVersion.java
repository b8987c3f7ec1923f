package io.switchboard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version Maven built this CLI as. */
final class CliVersion implements IVersionProvider {

  @Override
  public String[] getVersion() throws IOException {
    Properties properties = new Properties();
    try (InputStream in = CliVersion.class.getResourceAsStream("/switchboard-cli.properties")) {
      if (in != null) {
        properties.load(in);
      }
    }
    return new String[] {"switchboard " + properties.getProperty("version", "(unknown version)")};
  }
}
