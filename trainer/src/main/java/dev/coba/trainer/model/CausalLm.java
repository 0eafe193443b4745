package dev.coba.trainer.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.coba.trainer.data.ByteVocabulary;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A small decoder-only transformer over the byte vocabulary: token embedding plus learned
 * positions, {@code layers} pre-LayerNorm blocks (causal multi-head self-attention, then a GELU
 * MLP of width {@code 4·dModel}, each with a residual), a final LayerNorm and an untied LM head.
 *
 * <p>Every weight is a {@link Parameter} of this one block, written with raw NDArray ops rather
 * than DJL's BERT-style (bidirectional, post-LN) transformer blocks: the parameter names are then
 * stable for checkpoints, and there is no child-block shape plumbing.
 *
 * <p>Input: int token ids {@code (B, T)}, {@code T <= maxLength}. Output: {@code NDList(logits
 * (B, T, V), final hidden state (B, T, dModel))}; the hidden state lets a caller compute the
 * output layer's per-task gradient analytically (GradNorm) without another backward pass.
 *
 * <p>NDManager rule followed throughout: an op's result belongs to the manager of its first
 * operand, so the batch's array always comes first ({@code h.matMul(w)}, never {@code w...}).
 * Otherwise per-step results would land on the parameters' manager and leak every step.
 */
public final class CausalLm extends AbstractBlock {
  public static final int VOCAB = ByteVocabulary.SIZE;
  static final String CONFIG_FILE = "model.properties";
  static final String PARAMS_FILE = "model.params";
  private static final byte VERSION = 1;

  private final ModelConfig config;
  private final Parameter tokEmb;
  private final Parameter posEmb;
  private final Parameter[][] layer; // per layer: ln1g ln1b wqkv bqkv wo bo ln2g ln2b w1 b1 w2 b2
  private final Parameter lnfG;
  private final Parameter lnfB;
  private final Parameter head;

  /** An uninitialised model; {@link #create} gives an initialised one. */
  public CausalLm(ModelConfig config) {
    super(VERSION);
    this.config = config;
    int d = config.dModel();
    // GPT-2's init: N(0, 0.02) for matrices, LayerNorm at identity, biases zero
    Initializer n02 = new NormalInitializer(0.02f);
    tokEmb = param("tok_emb", Parameter.Type.WEIGHT, n02, VOCAB, d);
    posEmb = param("pos_emb", Parameter.Type.WEIGHT, n02, config.maxLength(), d);
    layer = new Parameter[config.layers()][];
    for (int l = 0; l < config.layers(); l++) {
      String s = "l" + l + "_";
      layer[l] =
          new Parameter[] {
            param(s + "ln1_g", Parameter.Type.GAMMA, Initializer.ONES, d),
            param(s + "ln1_b", Parameter.Type.BETA, Initializer.ZEROS, d),
            param(s + "wqkv", Parameter.Type.WEIGHT, n02, d, 3L * d),
            param(s + "bqkv", Parameter.Type.BIAS, Initializer.ZEROS, 3L * d),
            param(s + "wo", Parameter.Type.WEIGHT, n02, d, d),
            param(s + "bo", Parameter.Type.BIAS, Initializer.ZEROS, d),
            param(s + "ln2_g", Parameter.Type.GAMMA, Initializer.ONES, d),
            param(s + "ln2_b", Parameter.Type.BETA, Initializer.ZEROS, d),
            param(s + "w1", Parameter.Type.WEIGHT, n02, d, 4L * d),
            param(s + "b1", Parameter.Type.BIAS, Initializer.ZEROS, 4L * d),
            param(s + "w2", Parameter.Type.WEIGHT, n02, 4L * d, d),
            param(s + "b2", Parameter.Type.BIAS, Initializer.ZEROS, d),
          };
    }
    lnfG = param("lnf_g", Parameter.Type.GAMMA, Initializer.ONES, d);
    lnfB = param("lnf_b", Parameter.Type.BETA, Initializer.ZEROS, d);
    // untied from the embedding and without bias: the analytic head gradient needs exactly H·W
    head = param("head", Parameter.Type.WEIGHT, n02, d, VOCAB);
  }

  /**
   * A model with parameters on {@code manager}, initialised from {@code config.seed()} (the
   * engine's random seed is set first, so the same config gives the same weights).
   */
  public static CausalLm create(ModelConfig config, NDManager manager) {
    CausalLm lm = new CausalLm(config);
    Engine.getInstance().setRandomSeed((int) config.seed());
    lm.initialize(manager, DataType.FLOAT32, new Shape(1, config.maxLength()));
    return lm;
  }

  public ModelConfig config() {
    return config;
  }

  /** The LM head {@code (dModel, V)}; the last layer, whose per-task gradient norms GradNorm uses. */
  public Parameter head() {
    return head;
  }

  private Parameter param(String name, Parameter.Type type, Initializer init, long... shape) {
    return addParameter(
        Parameter.builder()
            .setName(name)
            .setType(type)
            .optInitializer(init)
            .optShape(new Shape(shape))
            .build());
  }

  /** Logits {@code (B, T, V)} for int ids {@code (B, T)}, outside training (no dropout exists anyway). */
  public NDArray logits(NDArray tokens) {
    NDManager m = tokens.getManager();
    return forward(new ParameterStore(m, false), new NDList(tokens), false).get(0);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray tokens = inputs.singletonOrThrow();
    long b = tokens.getShape().get(0);
    long t = tokens.getShape().get(1);
    if (t > config.maxLength()) {
      throw new IllegalArgumentException(
          "sequence of " + t + " tokens, maxLength is " + config.maxLength());
    }
    NDManager m = tokens.getManager();
    Device dev = tokens.getDevice();
    int d = config.dModel();
    // embedding as one-hot × table: the result stays on the batch's manager (a lookup on the
    // table would put it on the parameters' manager)
    NDArray x = tokens.oneHot(VOCAB).matMul(value(ps, tokEmb, dev, training));
    NDArray pos =
        m.arange(0, (int) t, 1, DataType.INT32)
            .oneHot(config.maxLength())
            .matMul(value(ps, posEmb, dev, training));
    x = x.add(pos);
    // causal mask (T, T): 0 on and below the diagonal, -1e9 above (NDArray has no triu)
    float[] mk = new float[(int) (t * t)];
    for (int i = 0; i < t; i++) {
      for (int j = i + 1; j < t; j++) {
        mk[(int) (i * t + j)] = -1e9f;
      }
    }
    NDArray mask = m.create(mk, new Shape(t, t));
    int heads = config.heads();
    int hd = d / heads;
    float scale = (float) (1.0 / Math.sqrt(hd));
    for (Parameter[] p : layer) {
      NDArray h = layerNorm(x, value(ps, p[0], dev, training), value(ps, p[1], dev, training));
      NDArray qkv = h.matMul(value(ps, p[2], dev, training)).add(value(ps, p[3], dev, training));
      NDList parts = qkv.split(3, 2); // a negative axis throws in PtNDArray.split
      NDArray q = parts.get(0).reshape(b, t, heads, hd).transpose(0, 2, 1, 3); // B,H,T,hd
      NDArray k = parts.get(1).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
      NDArray v = parts.get(2).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
      NDArray att =
          q.matMul(k.transpose(0, 1, 3, 2))
              .mul(Scalars.of(q, scale))
              .add(mask)
              .softmax(-1); // B,H,T,T
      NDArray y = att.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, d);
      x = x.add(y.matMul(value(ps, p[4], dev, training)).add(value(ps, p[5], dev, training)));
      h = layerNorm(x, value(ps, p[6], dev, training), value(ps, p[7], dev, training));
      NDArray mlp =
          h.matMul(value(ps, p[8], dev, training))
              .add(value(ps, p[9], dev, training))
              .getNDArrayInternal()
              .gelu();
      x = x.add(mlp.matMul(value(ps, p[10], dev, training)).add(value(ps, p[11], dev, training)));
    }
    NDArray hf = layerNorm(x, value(ps, lnfG, dev, training), value(ps, lnfB, dev, training));
    return new NDList(hf.matMul(value(ps, head, dev, training)), hf);
  }

  private static NDArray value(ParameterStore ps, Parameter p, Device dev, boolean training) {
    return ps.getValue(p, dev, training);
  }

  private static NDArray layerNorm(NDArray x, NDArray g, NDArray b) {
    NDArray centred = x.sub(x.mean(new int[] {-1}, true));
    NDArray var = centred.square().mean(new int[] {-1}, true);
    return centred.div(var.add(Scalars.of(var, 1e-5)).sqrt()).mul(g).add(b);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    Shape s = in[0];
    return new Shape[] {
      new Shape(s.get(0), s.get(1), VOCAB), new Shape(s.get(0), s.get(1), config.dModel())
    };
  }

  /**
   * Writes the checkpoint to {@code dir} (created if missing): {@code model.properties} (the
   * config) and {@code model.params} (DJL's parameter stream, by parameter name and order).
   * Fixed file names, unlike {@code Model.save}, which picks the next free number.
   */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    Properties p = new Properties();
    p.setProperty("layers", Integer.toString(config.layers()));
    p.setProperty("dModel", Integer.toString(config.dModel()));
    p.setProperty("heads", Integer.toString(config.heads()));
    p.setProperty("maxLength", Integer.toString(config.maxLength()));
    p.setProperty("seed", Long.toString(config.seed()));
    p.setProperty("vocab", Integer.toString(VOCAB));
    try (Writer w = Files.newBufferedWriter(dir.resolve(CONFIG_FILE), StandardCharsets.UTF_8)) {
      p.store(w, "CausalLm checkpoint");
    }
    try (OutputStream os = Files.newOutputStream(dir.resolve(PARAMS_FILE));
        DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(os))) {
      saveParameters(out);
    }
  }

  /** Reads a checkpoint written by {@link #save}; its parameters live on {@code manager}. */
  public static CausalLm load(Path dir, NDManager manager) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(dir.resolve(CONFIG_FILE), StandardCharsets.UTF_8)) {
      p.load(r);
    }
    ModelConfig config;
    try {
      if (Integer.parseInt(p.getProperty("vocab")) != VOCAB) {
        throw new IOException(
            dir + ": vocabulary " + p.getProperty("vocab") + ", expected " + VOCAB);
      }
      config =
          new ModelConfig(
              Integer.parseInt(p.getProperty("layers")),
              Integer.parseInt(p.getProperty("dModel")),
              Integer.parseInt(p.getProperty("heads")),
              Integer.parseInt(p.getProperty("maxLength")),
              Long.parseLong(p.getProperty("seed")));
    } catch (NumberFormatException | NullPointerException e) {
      throw new IOException(dir.resolve(CONFIG_FILE) + ": missing or bad value", e);
    }
    CausalLm lm = new CausalLm(config);
    lm.initialize(manager, DataType.FLOAT32, new Shape(1, config.maxLength()));
    try (InputStream is = Files.newInputStream(dir.resolve(PARAMS_FILE));
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(is))) {
      lm.loadParameters(manager, in);
    } catch (ai.djl.MalformedModelException e) {
      throw new IOException(dir.resolve(PARAMS_FILE) + ": " + e.getMessage(), e);
    }
    return lm;
  }
}
