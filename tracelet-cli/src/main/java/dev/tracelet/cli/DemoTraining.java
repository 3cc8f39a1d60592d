package dev.tracelet.cli;

import dev.tracelet.api.Hyperparameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's training: logistic regression by full-batch gradient descent on {@link SyntheticData},
 * 80% for training and 20% for validation, with a cosine learning-rate schedule. It knows nothing
 * of Tracelet: the caller logs what each epoch reports, as a user's training loop would.
 */
final class DemoTraining {
  static final int SAMPLES = 2_000;
  static final int FEATURES = 4;

  /** What the demo logs with {@code captureHyperparams}; the annotations give the names. */
  record Hyperparameters(
      @Hyperparameter("learning_rate") double learningRate,
      @Hyperparameter("final_learning_rate") double finalLearningRate,
      @Hyperparameter("lr_schedule") String schedule,
      @Hyperparameter("epochs") int epochs,
      @Hyperparameter("l2") double l2,
      @Hyperparameter("optimizer") String optimizer,
      @Hyperparameter("seed") long seed) {

    static Hyperparameters defaults(int epochs, long seed) {
      return new Hyperparameters(
          0.6, 0.02, "cosine", epochs, 1e-3, "full-batch gradient descent", seed);
    }
  }

  /** The figures of one epoch, measured after its gradient step. */
  record Epoch(
      int epoch,
      double learningRate,
      double trainLoss,
      double trainAccuracy,
      double valLoss,
      double valAccuracy) {

    Map<String, Double> metrics() {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("train_loss", trainLoss);
      m.put("train_accuracy", trainAccuracy);
      m.put("val_loss", valLoss);
      m.put("val_accuracy", valAccuracy);
      m.put("learning_rate", learningRate);
      return m;
    }
  }

  /** Called after every epoch; may throw to stop the training. */
  @FunctionalInterface
  interface EpochListener {
    void epochDone(Epoch epoch);
  }

  /** The trained model, how to prepare its inputs, and every epoch's figures. */
  record Result(LogisticRegression model, Standardizer standardizer, List<Epoch> epochs) {
    Epoch last() {
      return epochs.get(epochs.size() - 1);
    }
  }

  private final Hyperparameters hyperparameters;
  private final SyntheticData data;
  private final SyntheticData train;
  private final SyntheticData validation;

  DemoTraining(Hyperparameters hyperparameters) {
    this.hyperparameters = hyperparameters;
    this.data = SyntheticData.generate(hyperparameters.seed(), SAMPLES, FEATURES);
    int cut = SAMPLES * 4 / 5;
    this.train = data.slice(0, cut);
    this.validation = data.slice(cut, SAMPLES);
  }

  SyntheticData data() {
    return data;
  }

  /** Facts about the data, logged as parameters. */
  Map<String, Object> dataParams() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("data.generator", "two gaussian classes, seeded");
    m.put("data.samples", data.size());
    m.put("data.features", data.features());
    m.put("data.train_size", train.size());
    m.put("data.validation_size", validation.size());
    m.put("data.separation", SyntheticData.SEPARATION);
    m.put("data.shared_factor", SyntheticData.SHARED_FACTOR);
    m.put("data.label_noise", SyntheticData.LABEL_NOISE);
    return m;
  }

  Result run(EpochListener listener) {
    Standardizer standardizer = Standardizer.fit(train.x());
    double[][] trainX = standardizer.apply(train.x());
    int[] trainY = train.y();
    double[][] valX = standardizer.apply(validation.x());
    int[] valY = validation.y();
    LogisticRegression model = new LogisticRegression(data.features(), hyperparameters.l2());
    CosineSchedule schedule =
        new CosineSchedule(
            hyperparameters.learningRate(),
            hyperparameters.finalLearningRate(),
            hyperparameters.epochs());
    List<Epoch> epochs = new ArrayList<>();
    for (int e = 0; e < hyperparameters.epochs(); e++) {
      double rate = schedule.rate(e);
      model.step(trainX, trainY, rate);
      Epoch epoch =
          new Epoch(
              e,
              rate,
              model.loss(trainX, trainY),
              model.accuracy(trainX, trainY),
              model.loss(valX, valY),
              model.accuracy(valX, valY));
      epochs.add(epoch);
      listener.epochDone(epoch);
    }
    return new Result(model, standardizer, List.copyOf(epochs));
  }
}
