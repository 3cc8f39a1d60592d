package dev.tracelet.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field or record component as a hyperparameter for {@link
 * Experiment#captureHyperparams(Object)}. When any field of a class carries it, only the annotated
 * fields are captured.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.RECORD_COMPONENT})
public @interface Hyperparameter {
  /** The parameter's name; empty means the field's name. */
  String value() default "";
}
