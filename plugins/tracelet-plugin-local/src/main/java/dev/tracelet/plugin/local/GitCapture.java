package dev.tracelet.plugin.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.AbstractTreeIterator;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.filter.PathFilterGroup;
import org.jspecify.annotations.Nullable;

/** Reads the git state of the working directory with JGit (no {@code git} binary needed). */
final class GitCapture {
  private GitCapture() {}

  /**
   * The state of a working tree.
   *
   * @param commit HEAD's id, or null before the first commit
   * @param branch the branch name, or the commit id when detached
   * @param dirty whether tracked files differ from HEAD (untracked files do not count)
   * @param remote origin's URL without any user or password in it, or null
   * @param diff the uncommitted changes to tracked files as a unified diff, possibly truncated
   * @param diffTruncated whether {@code diff} was cut at the size limit
   */
  record GitState(
      @Nullable String commit,
      @Nullable String branch,
      boolean dirty,
      @Nullable String remote,
      int untrackedFiles,
      String diff,
      boolean diffTruncated) {
    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("commit", commit);
      m.put("branch", branch);
      m.put("dirty", dirty);
      m.put("remote", remote);
      m.put("untracked_files", untrackedFiles);
      m.put("diff_bytes", diff.getBytes(StandardCharsets.UTF_8).length);
      m.put("diff_truncated", diffTruncated);
      return m;
    }
  }

  /** The git state of the repository containing {@code workDir}, or empty outside one. */
  static Optional<GitState> capture(Path workDir, long maxDiffBytes)
      throws IOException, GitAPIException {
    JGitLifecycle.beforeFirstUse();
    FileRepositoryBuilder builder =
        new FileRepositoryBuilder().readEnvironment().findGitDir(workDir.toFile());
    if (builder.getGitDir() == null) {
      return Optional.empty();
    }
    try (Repository repo = builder.setMustExist(true).build();
        Git git = new Git(repo)) {
      ObjectId head = repo.resolve(Constants.HEAD);
      Status status = git.status().call();
      TreeSet<String> changed = new TreeSet<>();
      changed.addAll(status.getAdded());
      changed.addAll(status.getChanged());
      changed.addAll(status.getModified());
      changed.addAll(status.getRemoved());
      changed.addAll(status.getMissing());
      changed.addAll(status.getConflicting());
      LimitedOutput out = new LimitedOutput(maxDiffBytes);
      if (!changed.isEmpty()) {
        try (DiffFormatter fmt = new DiffFormatter(out);
            ObjectReader reader = repo.newObjectReader()) {
          fmt.setRepository(repo);
          fmt.setPathFilter(PathFilterGroup.createFromStrings(changed));
          fmt.format(headTree(repo, head, reader), new FileTreeIterator(repo));
          fmt.flush();
        }
      }
      return Optional.of(
          new GitState(
              head == null ? null : head.name(),
              repo.getBranch(),
              !changed.isEmpty(),
              withoutCredentials(repo.getConfig().getString("remote", "origin", "url")),
              status.getUntracked().size(),
              out.text(),
              out.truncated));
    }
  }

  private static AbstractTreeIterator headTree(
      Repository repo, @Nullable ObjectId head, ObjectReader reader) throws IOException {
    if (head == null) {
      return new EmptyTreeIterator();
    }
    try (RevWalk walk = new RevWalk(repo)) {
      CanonicalTreeParser p = new CanonicalTreeParser();
      p.reset(reader, walk.parseCommit(head).getTree());
      return p;
    }
  }

  /** {@code https://user:token@host/x} → {@code https://host/x}: remotes may carry credentials. */
  static @Nullable String withoutCredentials(@Nullable String url) {
    if (url == null) {
      return null;
    }
    try {
      URI uri = new URI(url);
      if (uri.getScheme() != null && uri.getRawUserInfo() != null && uri.getHost() != null) {
        return new URI(
                uri.getScheme(),
                null,
                uri.getHost(),
                uri.getPort(),
                uri.getPath(),
                uri.getQuery(),
                uri.getFragment())
            .toString();
      }
      return url;
    } catch (URISyntaxException e) {
      // scp-like "git@host:org/repo.git": the user there is not a secret. Anything with a
      // password-looking part before '@' loses it.
      int at = url.indexOf('@');
      int colon = url.indexOf(':');
      return at > 0 && colon >= 0 && colon < at ? url.substring(at + 1) : url;
    }
  }

  /** Keeps the first {@code limit} bytes and notes whether more were written. */
  private static final class LimitedOutput extends OutputStream {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final long limit;
    boolean truncated;

    LimitedOutput(long limit) {
      this.limit = limit;
    }

    @Override
    public void write(int b) {
      if (buf.size() < limit) {
        buf.write(b);
      } else {
        truncated = true;
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      int room = (int) Math.min(len, Math.max(0, limit - buf.size()));
      buf.write(b, off, room);
      if (room < len) {
        truncated = true;
      }
    }

    String text() {
      return buf.toString(StandardCharsets.UTF_8);
    }
  }
}
