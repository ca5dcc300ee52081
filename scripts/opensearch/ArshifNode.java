// One real OpenSearch node for scripts/opensearch_cluster.py: the server jar's Node, started through
// the test framework's MockNode, which loads plugins from the classpath (netty4 transport and HTTP,
// analysis-common, painless) instead of a distribution's plugins folder. Settings come as
// key=value arguments; the node runs until the JVM is told to stop (SIGTERM closes it cleanly).
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.node.MockNode;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.transport.Netty4Plugin;

public final class ArshifNode {
    public static void main(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got " + arg);
            }
            String key = arg.substring(0, eq), value = arg.substring(eq + 1);
            if (value.contains(",")) {
                builder.putList(key, value.split(","));
            } else {
                builder.put(key, value);
            }
        }
        Settings settings = builder.build();
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(settings.get("node.name", "node"));
        LogConfigurator.configureWithoutConfig(settings);
        Node node = new MockNode(settings, List.of(Netty4Plugin.class, CommonAnalysisPlugin.class, PainlessPlugin.class));
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                closed.countDown();
            }
        }));
        node.start();
        System.out.println("ARSHIF-NODE-STARTED " + settings.get("node.name"));
        System.out.flush();
        closed.await();
    }
}
