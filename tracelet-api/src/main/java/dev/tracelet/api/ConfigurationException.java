package dev.tracelet.api;

/**
 * A setting is unknown or has a value of the wrong form; the message names the key, the value and
 * the accepted form.
 */
public class ConfigurationException extends TraceletException {
  private static final long serialVersionUID = 1L;

  public ConfigurationException(String message) {
    super(message);
  }

  public ConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
