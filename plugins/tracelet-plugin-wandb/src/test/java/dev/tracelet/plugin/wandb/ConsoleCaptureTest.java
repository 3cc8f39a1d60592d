package dev.tracelet.plugin.wandb;

import static dev.tracelet.plugin.wandb.StubSupport.metric;
import static dev.tracelet.plugin.wandb.StubSupport.metrics;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.plugin.wandb.stub.WandbStubServer;
import dev.tracelet.testkit.TestBackendContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleCaptureTest {
  private PrintStream savedOut;
  private PrintStream savedErr;
  private final ByteArrayOutputStream terminal = new ByteArrayOutputStream();

  @BeforeEach
  void terminal() {
    savedOut = System.out;
    savedErr = System.err;
    PrintStream t = new PrintStream(terminal, true, StandardCharsets.UTF_8);
    System.setOut(t);
    System.setErr(t);
  }

  @AfterEach
  void restore() {
    System.setOut(savedOut);
    System.setErr(savedErr);
  }

  @Test
  void linesAreCopiedWhileTheTerminalStillGetsEverything() {
    PrintStream before = System.out;
    ConsoleCapture.Registration r = ConsoleCapture.register(100);
    System.out.println("hello");
    System.out.print("partial ");
    System.out.println("line");
    System.err.println("oops");
    assertThat(r.stop()).isTrue();
    assertThat(System.out).as("the original stream is back").isSameAs(before);

    List<ConsoleCapture.Line> lines = new ArrayList<>();
    r.drainTo(lines, 100);
    assertThat(lines)
        .extracting(ConsoleCapture.Line::text)
        .containsExactly("hello", "partial line", "oops");
    assertThat(lines).extracting(ConsoleCapture.Line::stderr).containsExactly(false, false, true);
    assertThat(terminal.toString(StandardCharsets.UTF_8)).contains("hello", "partial line", "oops");
  }

  @Test
  void aFullQueueDropsLinesWithoutBlockingTheWriter() {
    ConsoleCapture.Registration r = ConsoleCapture.register(2);
    for (int i = 0; i < 5; i++) {
      System.out.println("line " + i);
    }
    r.stop();
    assertThat(r.dropped()).isEqualTo(3);
  }

  @Test
  void whenSomeoneReplacedTheStreamTheCaptureStaysButPassesThrough() {
    ConsoleCapture.Registration r = ConsoleCapture.register(10);
    PrintStream ours = System.out;
    ByteArrayOutputStream other = new ByteArrayOutputStream();
    System.setOut(new PrintStream(other, true, StandardCharsets.UTF_8));
    assertThat(r.stop()).isFalse();
    ours.println("still reaches the terminal");
    assertThat(terminal.toString(StandardCharsets.UTF_8)).contains("still reaches the terminal");
    List<ConsoleCapture.Line> lines = new ArrayList<>();
    r.drainTo(lines, 10);
    assertThat(lines).isEmpty();
  }

  @Test
  void aSessionSendsCapturedLinesToOutputLog(@TempDir Path tmp) {
    try (WandbStubServer stub = WandbStubServer.start(0, WandbStubServer.DEFAULT_API_KEY, 0)) {
      Map<String, String> config = StubSupport.config(stub);
      config.put("console", "wrap");
      TestBackendContext ctx = StubSupport.context(tmp, config).build();
      BackendSession s = new WandbBackendPlugin().open(ctx);
      System.out.println("epoch 1 done");
      s.log(metrics(metric("loss", 1, 1)));
      System.err.println("warning: slow");
      s.close(RunStatus.FINISHED);

      List<String> out = StubSupport.run(stub, ctx.runId()).outputLines();
      assertThat(out).hasSize(2);
      assertThat(out.get(0))
          .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6} epoch 1 done");
      assertThat(out.get(1)).startsWith("ERROR ").endsWith(" warning: slow");
      assertThat(stub.rejections()).isEmpty();
    }
  }
}
