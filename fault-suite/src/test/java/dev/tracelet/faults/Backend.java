package dev.tracelet.faults;

import java.util.function.Supplier;

/** The HTTP backends under test, each with its strict stub. */
enum Backend {
  MLFLOW(MlflowStub::new),
  WANDB(WandbStub::new),
  CLEARML(ClearmlStub::new);

  private final Supplier<StubServer> stub;

  Backend(Supplier<StubServer> stub) {
    this.stub = stub;
  }

  /** Starts a fresh stub on a free port. */
  StubServer startStub() {
    return stub.get();
  }
}
