package org.overlaygate.admin;

import org.apache.felix.service.command.Converter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Lets Gogo turn a bundle id into a {@link Bundle}, as {@code felix:update ID} and the other
 * built-ins taking a bundle need. The interactive shell (gogo.jline) brings such a converter; a
 * headless appliance has only this one.
 */
@Component(service = Converter.class)
public final class BundleIdConverter implements Converter {
    private final BundleContext context;

    @Activate
    public BundleIdConverter(BundleContext context) {
        this.context = context;
    }

    @Override
    public Object convert(Class<?> desiredType, Object in) {
        if (desiredType != Bundle.class || in == null) {
            return null;
        }
        String id = in.toString().trim();
        return id.matches("[0-9]{1,18}") ? context.getBundle(Long.parseLong(id)) : null;
    }

    @Override
    public CharSequence format(Object target, int level, Converter escape) {
        return null;
    }
}
