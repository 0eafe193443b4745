package dev.coba.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Adam whose moments can be saved and loaded, so a resumed run continues exactly where it
 * stopped: DJL's own {@code Adam} keeps them private. The update is DJL's (the same engine call
 * with the same bias correction and element-wise clipping), so it gives the same numbers.
 * State is keyed by parameter <em>name</em>: a {@link Parameter}'s id is a random UUID per instance.
 */
public final class ResumableAdam extends Optimizer {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;
  private static final int FORMAT = 1;

  private final float learningRate;
  private final Map<String, String> nameOfId = new HashMap<>();
  // sorted by name: the saved file has one order whatever the map's hashing
  private final Map<String, NDArray> means = new TreeMap<>();
  private final Map<String, NDArray> variances = new TreeMap<>();
  private final Map<String, Integer> updates = new TreeMap<>();

  /**
   * @param lm the model whose parameters this optimizer updates
   * @param clip each gradient element is clipped to ±clip (DJL's clipping is element-wise)
   */
  public ResumableAdam(CausalLm lm, float learningRate, float clip) {
    super(new Builder().optClipGrad(clip).setRescaleGrad(1f));
    this.learningRate = learningRate;
    for (var p : lm.getParameters()) {
      nameOfId.put(p.getValue().getId(), p.getKey());
    }
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    String name = nameOfId.get(parameterId);
    if (name == null) {
      throw new IllegalStateException("parameter " + parameterId + " is not the model's");
    }
    int t = updates.merge(name, 1, Integer::sum);
    double coef1 = 1.0 - Math.pow(BETA1, t);
    double coef2 = 1.0 - Math.pow(BETA2, t);
    float biasCorrected = (float) (learningRate * Math.sqrt(coef2) / coef1);
    // the moments live on the weight's manager: as long as the model
    NDArray mean = means.computeIfAbsent(name, k -> weight.zerosLike());
    NDArray variance = variances.computeIfAbsent(name, k -> weight.zerosLike());
    weight
        .getNDArrayInternal()
        .adamUpdate(
            new NDList(weight, grad, mean, variance),
            new NDList(weight),
            learningRate,
            biasCorrected,
            0f,
            rescaleGrad,
            clipGrad,
            BETA1,
            BETA2,
            EPSILON,
            true,
            false);
  }

  /** The number of updates so far (of the most updated parameter). */
  public int steps() {
    return updates.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  /** Writes the update counts and both moments of every parameter. */
  public void save(DataOutputStream out) throws IOException {
    out.writeInt(FORMAT);
    out.writeInt(updates.size());
    for (Map.Entry<String, Integer> e : updates.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeInt(e.getValue());
      writeArray(out, means.get(e.getKey()));
      writeArray(out, variances.get(e.getKey()));
    }
  }

  /** Replaces this optimizer's state by one {@link #save}d; the arrays go on {@code manager}. */
  public void load(DataInputStream in, NDManager manager) throws IOException {
    if (in.readInt() != FORMAT) {
      throw new IOException("not an optimizer state of format " + FORMAT);
    }
    int n = in.readInt();
    Map<String, Integer> u = new TreeMap<>();
    Map<String, NDArray> m = new TreeMap<>();
    Map<String, NDArray> v = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      String name = in.readUTF();
      if (!nameOfId.containsValue(name)) {
        throw new IOException("optimizer state for an unknown parameter " + name);
      }
      u.put(name, in.readInt());
      m.put(name, readArray(in, manager));
      v.put(name, readArray(in, manager));
    }
    means.values().forEach(NDArray::close);
    variances.values().forEach(NDArray::close);
    updates.clear();
    updates.putAll(u);
    means.clear();
    means.putAll(m);
    variances.clear();
    variances.putAll(v);
  }

  private static void writeArray(DataOutputStream out, NDArray a) throws IOException {
    byte[] bytes = a.encode();
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static NDArray readArray(DataInputStream in, NDManager manager) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return NDArray.decode(manager, bytes);
  }

  private static final class Builder extends OptimizerBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }
  }
}
