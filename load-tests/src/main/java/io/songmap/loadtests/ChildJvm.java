package io.songmap.loadtests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The parent's side of a benchmark part run in a JVM of its own, with this JVM's class path: the child prints one
 * line starting with an agreed word once it is ready, then answers one line per question on its stdin, and stops
 * when its stdin closes, so that it never outlives the parent.
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final BufferedReader answers;
  private final PrintWriter questions;
  private final String ready;

  private ChildJvm(Process process, BufferedReader answers, PrintWriter questions, String ready) {
    this.process = process;
    this.answers = answers;
    this.questions = questions;
    this.ready = ready;
  }

  /**
   * Starts {@code mainClass} and waits for its line starting with {@code readyWord} (earlier lines are skipped).
   *
   * @param env added to this process's environment
   * @param stderr where the child's stderr goes
   */
  public static ChildJvm start(Class<?> mainClass, List<String> jvmOptions, List<String> args, Map<String, String> env,
      ProcessBuilder.Redirect stderr, String readyWord) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr);
    builder.environment().putAll(env);
    Process process = builder.start();
    BufferedReader answers = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8));
    PrintWriter questions = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    String line;
    do {
      line = answers.readLine(); // null: the child exited
    } while (line != null && !line.startsWith(readyWord));
    if (line == null) {
      process.destroyForcibly();
      throw new IOException(mainClass.getSimpleName() + " did not start");
    }
    return new ChildJvm(process, answers, questions, line.substring(readyWord.length()).trim());
  }

  /** What the ready line said after its word. */
  public String ready() {
    return ready;
  }

  public long pid() {
    return process.pid();
  }

  /** Sends one question and returns the child's one-line answer. */
  public synchronized String ask(String question) {
    questions.println(question);
    try {
      String answer = answers.readLine();
      if (answer == null) {
        throw new IllegalStateException("the child JVM ended");
      }
      return answer;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    questions.close(); // the child sees the end of its input and stops
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
