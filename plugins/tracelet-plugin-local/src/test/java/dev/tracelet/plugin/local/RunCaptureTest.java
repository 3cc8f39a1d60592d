package dev.tracelet.plugin.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.ExperimentConfig;
import dev.tracelet.api.RunStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCaptureTest {
  @TempDir Path temp;

  private Path repoWithChange() throws Exception {
    Path repo = temp.resolve("repo");
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      Files.writeString(repo.resolve("train.py"), "lr = 0.1\n");
      git.add().addFilepattern("train.py").call();
      git.commit()
          .setMessage("first")
          .setAuthor("t", "t@example.com")
          .setCommitter("t", "t@example.com")
          .setSign(false)
          .call();
      git.getRepository()
          .getConfig()
          .setString("remote", "origin", "url", "https://bob:s3cret@example.com/r.git");
      git.getRepository().getConfig().save();
    }
    Files.writeString(repo.resolve("train.py"), "lr = 0.2\n");
    Files.writeString(repo.resolve("untracked.bin"), "not part of the diff");
    return repo;
  }

  @Test
  void gitStateAndUncommittedDiffOfTrackedFiles() throws Exception {
    Path repo = repoWithChange();
    GitCapture.GitState g = GitCapture.capture(repo, 1 << 20).orElseThrow();
    assertThat(g.commit()).hasSize(40);
    assertThat(g.branch()).isEqualTo("main");
    assertThat(g.dirty()).isTrue();
    assertThat(g.remote()).isEqualTo("https://example.com/r.git");
    assertThat(g.untrackedFiles()).isEqualTo(1);
    assertThat(g.diff()).contains("-lr = 0.1").contains("+lr = 0.2").doesNotContain("untracked");
    assertThat(GitCapture.capture(repo, 10).orElseThrow().diffTruncated()).isTrue();
  }

  @Test
  void outsideARepositoryThereIsNoGitState() throws Exception {
    Path plain = Files.createDirectories(temp.resolve("plain"));
    // A temp folder may sit inside some repository on a developer machine; only assert when not.
    if (new org.eclipse.jgit.storage.file.FileRepositoryBuilder()
            .findGitDir(plain.toFile())
            .getGitDir()
        == null) {
      assertThat(GitCapture.capture(plain, 100)).isEmpty();
    }
  }

  @Test
  void captureFollowsTheConfigAndMasksSecrets() throws Exception {
    Path repo = repoWithChange();
    RunCapture.Result all =
        RunCapture.capture(ExperimentConfig.defaults(), repo, 1 << 20, StoreFixture.logger());
    assertThat(all.files()).containsKeys("environment.json", "args.json", "git.json", "code.diff");
    assertThat(all.tags())
        .containsKeys("tracelet.git.commit", "tracelet.env.java", "tracelet.env.host")
        .containsEntry("tracelet.git.dirty", "true")
        .containsEntry("tracelet.git.branch", "main");
    String env = new String(all.files().get("environment.json"), StandardCharsets.UTF_8);
    assertThat(env)
        .contains("\"cpus\"", "\"class_path_jars\"", "\"main_class\"", "\"max_heap_bytes\"");

    RunCapture.Result none =
        RunCapture.capture(TestContext.NO_CAPTURE, repo, 1 << 20, StoreFixture.logger());
    assertThat(none.files()).isEmpty();
    assertThat(none.tags()).isEmpty();

    assertThat(
            RunCapture.mask(
                List.of(
                    "-Dapi.key=abc",
                    "--token",
                    "xyz",
                    "--epochs",
                    "3",
                    "-Dfoo=bar",
                    "--password=p")))
        .containsExactly(
            "-Dapi.key=****", "--token", "****", "--epochs", "3", "-Dfoo=bar", "--password=****");
  }

  @Test
  void aSessionStoresTheCaptureAsTagsAndAnArtifact() {
    try (StoreFixture f = new StoreFixture(temp)) {
      ExperimentConfig envOnly =
          ExperimentConfig.builder().trackGit(false).trackEnvironment(true).trackArgs(true).build();
      LocalSession s = f.open(f.context("e").withCapture(envOnly));
      s.close(RunStatus.FINISHED);
      var run = f.runs.getRun(s.runId()).orElseThrow();
      assertThat(run.tags())
          .containsKey("tracelet.env.java")
          .doesNotContainKey("tracelet.git.commit");
      assertThat(run.artifacts())
          .containsExactlyInAnyOrder(
              LocalSession.CAPTURE_ARTIFACT + "/environment.json",
              LocalSession.CAPTURE_ARTIFACT + "/args.json");
      assertThat(f.runs.artifactPath(s.runId(), LocalSession.CAPTURE_ARTIFACT + "/args.json"))
          .content()
          .contains("jvm_args");
      // Resuming does not capture (or fail on) the same artifact twice.
      LocalSession again =
          f.open(f.context("e").withRunId(s.runId()).withCapture(envOnly).resuming());
      again.close(RunStatus.FINISHED);
      assertThat(f.runs.getRun(s.runId()).orElseThrow().artifacts()).hasSize(2);
    }
  }

  @Test
  void remoteUrlsLoseTheirCredentials() {
    assertThat(GitCapture.withoutCredentials("https://u:p@host/x.git"))
        .isEqualTo("https://host/x.git");
    assertThat(GitCapture.withoutCredentials("git@github.com:org/r.git"))
        .isEqualTo("git@github.com:org/r.git");
    assertThat(GitCapture.withoutCredentials("https://host/x.git")).isEqualTo("https://host/x.git");
    assertThat(GitCapture.withoutCredentials(null)).isNull();
    assertThat(Map.of()).isEmpty();
  }
}
