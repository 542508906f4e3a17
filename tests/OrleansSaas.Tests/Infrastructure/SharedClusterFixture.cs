namespace OrleansSaas.Tests.Infrastructure;

/// <summary>One silo and a gateway shared by tests that do not disturb the cluster itself.</summary>
public sealed class SharedClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    // Some tests subscribe receivers on loopback (metrics count a delivery; the API documentation test needs a webhook).
    public async Task InitializeAsync() => Cluster = await TestCluster.StartAsync(silos: 1, TestCluster.AllowingLoopback(), TestCluster.AllowingLoopback());

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SharedClusterCollection : ICollectionFixture<SharedClusterFixture>
{
    public const string Name = "shared cluster";
}
