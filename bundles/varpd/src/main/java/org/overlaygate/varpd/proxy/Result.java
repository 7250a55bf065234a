package org.overlaygate.varpd.proxy;

import java.util.Objects;

/**
 * A value, or the constant reason (one of {@link Refusal}) why there is none. Immutable.
 *
 * @param <T> the value's type
 */
public final class Result<T> {
    private final T value;
    private final String refusal;

    private Result(T value, String refusal) {
        this.value = value;
        this.refusal = refusal;
    }

    static <T> Result<T> of(T value) {
        return new Result<>(Objects.requireNonNull(value), null);
    }

    static <T> Result<T> refused(String reason) {
        return new Result<>(null, Objects.requireNonNull(reason));
    }

    /** The same result seen as one of a supertype: safe because a result never changes. */
    @SuppressWarnings("unchecked")
    static <T> Result<T> widen(Result<? extends T> result) {
        return (Result<T>) result;
    }

    /** True when there is a value. */
    public boolean ok() {
        return refusal == null;
    }

    /**
     * The value.
     *
     * @throws IllegalStateException when refused
     */
    public T value() {
        if (refusal != null) {
            throw new IllegalStateException("refused: " + refusal);
        }
        return value;
    }

    /** The reason, one of {@link Refusal}; null when there is a value. */
    public String refusal() {
        return refusal;
    }

    @Override
    public String toString() {
        return refusal == null ? "ok: " + value : "refused: " + refusal;
    }
}
