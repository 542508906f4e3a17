using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Cluster;

/// <summary>Two silos and a gateway for tests that move sessions but leave the cluster usable (a drain is undrained).</summary>
public sealed class OperationsClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await TestCluster.StartAsync(silos: 2, ClusterTestApi.Settings());

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class OperationsClusterCollection : ICollectionFixture<OperationsClusterFixture>
{
    public const string Name = "operations cluster";
}
