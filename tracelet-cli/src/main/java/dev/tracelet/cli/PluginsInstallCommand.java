package dev.tracelet.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tracelet plugins install <jar | groupId:artifactId:version>}: checks a plugin JAR as
 * {@code verify} does and, if it passes, copies it into the first plugin folder.
 */
@Command(
    name = "install",
    description = {
      "Check a plugin JAR and copy it into the first plugin folder.",
      "Takes a JAR file, or Maven coordinates GROUP:ARTIFACT:VERSION looked up in the local Maven"
          + " repository (-Dmaven.repo.local, else ~/.m2/repository) and then downloaded from"
          + " --repository (Maven Central by default) and checked against the repository's"
          + " published checksum. Runs the checks of 'tracelet plugins verify' first and refuses a"
          + " JAR that fails any of them. Prints the JAR's SHA-256 to pin in"
          + " plugins_allowed_sha256. A running Tracelet loads the new JAR within a second."
    })
final class PluginsInstallCommand implements Callable<Integer> {
  private final CliContext context;

  @Parameters(
      index = "0",
      paramLabel = "JAR|GROUP:ARTIFACT:VERSION",
      description = "A plugin JAR file, or the Maven coordinates of one.")
  String what = "";

  @Option(
      names = "--repository",
      paramLabel = "URL",
      description = "Remote Maven repository for coordinates, https only (default: Maven Central).")
  String repository = MavenArtifactFetcher.CENTRAL;

  @Option(
      names = "--replace",
      description =
          "Replace a JAR of the same plugin id already in the first plugin folder (else refused).")
  boolean replace;

  PluginsInstallCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    PluginFolders folders = new PluginFolders(context);
    PluginJarInspector inspector = folders.inspector();
    Source source = source();
    try {
      PluginJarReport report = inspector.inspect(source.file);
      PrintWriter out = context.out();
      if (!report.ok()) {
        PluginsVerifyCommand.print(out, report);
        out.flush();
        throw CliException.notFound(
            "refused to install "
                + what
                + ": it fails "
                + report.problems().size()
                + (report.problems().size() == 1 ? " check" : " checks")
                + " (above); nothing was copied");
      }
      Path folder = folders.first();
      Path dest = folder.resolve(source.fileName);
      List<Path> replaced = new ArrayList<>();
      for (Path jar : folders.jars()) {
        PluginJarReport installed = inspector.inspect(jar);
        if (!installed.id().equals(report.id())) {
          if (jar.getFileName().equals(dest.getFileName()) && jar.getParent().equals(folder)) {
            throw CliException.notFound(
                dest + " already holds plugin '" + installed.id() + "'; rename the JAR to install");
          }
          continue;
        }
        if (installed.sha256().equals(report.sha256())) {
          out.println(
              "Plugin " + report.id() + " " + report.version() + " is already installed: " + jar);
          printPin(out, report);
          return ExitCodes.OK;
        }
        if (!replace || !jar.toAbsolutePath().getParent().equals(folder.toAbsolutePath())) {
          throw CliException.notFound(
              "plugin '"
                  + report.id()
                  + "' is already installed as "
                  + jar
                  + " (version "
                  + installed.version()
                  + "); "
                  + (jar.toAbsolutePath().getParent().equals(folder.toAbsolutePath())
                      ? "use --replace to replace it"
                      : "remove it first")
                  + ": PF4J loads one JAR per plugin id");
        }
        replaced.add(jar);
      }
      try {
        Files.createDirectories(folder);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the plugin folder " + folder, e);
      }
      MavenArtifactFetcher.copyAtomically(source.file, dest);
      for (Path old : replaced) {
        if (!old.toAbsolutePath().equals(dest.toAbsolutePath())) {
          MavenArtifactFetcher.deleteQuietly(old);
        }
      }
      out.println(
          "Installed plugin "
              + report.id()
              + " "
              + report.version()
              + " ("
              + String.join(", ", report.extensions())
              + ") from "
              + source.description);
      out.println("  as " + dest);
      for (Path old : replaced) {
        if (!old.toAbsolutePath().equals(dest.toAbsolutePath())) {
          out.println("  replacing " + old);
        }
      }
      printPin(out, report);
      if (new PluginStatusFiles(folder).isDisabled(report.id())) {
        out.println(
            "It is disabled by enabled.txt/disabled.txt in "
                + folder
                + "; 'tracelet plugins enable "
                + report.id()
                + "' enables it.");
      }
      out.println("'tracelet plugins list' shows it; a running Tracelet loads it within a second.");
      out.flush();
      return ExitCodes.OK;
    } finally {
      if (source.temporary) {
        MavenArtifactFetcher.deleteQuietly(source.file);
      }
    }
  }

  private static void printPin(PrintWriter out, PluginJarReport report) {
    out.println("  sha256 " + report.sha256());
    out.println(
        "To load only approved plugins, pin this digest: plugins_allowed_sha256: ["
            + report.sha256()
            + ", …] (conf/tracelet.yaml)");
  }

  /** The JAR to install, and the file name it gets in the plugin folder. */
  private record Source(Path file, String fileName, String description, boolean temporary) {}

  private Source source() {
    Path path = Path.of(what);
    if (Files.isRegularFile(path)) {
      String name = path.getFileName().toString();
      // The host loads *.jar only.
      if (!name.toLowerCase(Locale.ROOT).endsWith(".jar")) {
        name = name + ".jar";
      }
      return new Source(path, name, path.toAbsolutePath().toString(), false);
    }
    MavenArtifactFetcher.Coordinates c = MavenArtifactFetcher.parse(what);
    if (c == null) {
      if (what.toLowerCase(Locale.ROOT).endsWith(".jar") || what.contains("/")) {
        throw CliException.notFound("no such file: " + what);
      }
      throw CliException.usage(
          "'" + what + "' is neither a JAR file nor Maven coordinates GROUP:ARTIFACT:VERSION");
    }
    MavenArtifactFetcher fetcher =
        new MavenArtifactFetcher(
            MavenArtifactFetcher.localRepository(context.sources().systemProperties()),
            URI.create(repository));
    MavenArtifactFetcher.Fetched f = fetcher.fetch(c);
    return new Source(f.file(), c.fileName(), c + " (" + f.source() + ")", f.temporary());
  }
}
