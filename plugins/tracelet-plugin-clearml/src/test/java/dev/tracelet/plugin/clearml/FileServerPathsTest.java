package dev.tracelet.plugin.clearml;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FileServerPathsTest {
  @Test
  void followsTheSdkLayout() {
    assertThat(FileServerPaths.artifactsFolder("vision/resnet", "train run", "abc123"))
        .isEqualTo("vision/resnet/train run.abc123/artifacts");
  }

  @Test
  void namesCannotEscapeOrBreakTheMultipartField() {
    assertThat(FileServerPaths.artifactsFolder("../..", "a\"b\r\nc", "id"))
        .isEqualTo("_/_/a_b__c.id/artifacts");
    assertThat(FileServerPaths.artifactsFolder("", "..", "id")).isEqualTo("_/_.id/artifacts");
    assertThat(FileServerPaths.segment("ü/ß?*", 250)).isEqualTo("_____");
  }

  @Test
  void theTaskFolderStaysWithin128Characters() {
    String folder = FileServerPaths.artifactsFolder("p", "x".repeat(500), "0".repeat(32));
    String task = folder.split("/")[1];
    assertThat(task).hasSize(FileServerPaths.MAX_TASK_FOLDER).endsWith("." + "0".repeat(32));
  }
}
