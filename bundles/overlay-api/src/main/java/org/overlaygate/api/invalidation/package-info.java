/**
 * The invalidation plugin contract: telling remote hosts that a mapping they used is stale, and
 * acting on such news from them.
 *
 * <p>When a unicast frame arrives from the underlay for a MAC that is not on this host, the sender's
 * target cache is wrong. The core hands the (vnet id, MAC, sender) triple, rate-limited, to the
 * overlay's {@link InvalidationInstance#sendInvalidation}; the plugin tells the sender in whatever
 * way it speaks (katar's SHOOTDOWN datagram, for example). When the plugin receives such a message
 * it calls {@link InvalidationContext#invalidated(long, java.net.InetAddress)} with the message's
 * sender, and the core drops that MAC from the overlay's target cache so the next frame is looked
 * up afresh, but only when the sender is a host the overlay knows for that MAC (anyone on the
 * underlay can forge a datagram), never an entry the operator set and never one frames wait on.
 *
 * <p>Invalidation is optional per overlay and named by it ({@code overlay:create ... -i shootdown}),
 * with its properties namespaced like the others. A plugin is a factory of per-overlay instances,
 * like a search plugin, registered with {@link org.overlaygate.api.PluginConstants#PLUGIN_NAME}.
 * An overlay whose invalidation plugin is absent is DEGRADED with that reason and keeps forwarding;
 * not-here reports made meanwhile are dropped (and counted), since a stale peer corrects itself
 * once the plugin is back and the peer sends again.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.1.0")
package org.overlaygate.api.invalidation;
