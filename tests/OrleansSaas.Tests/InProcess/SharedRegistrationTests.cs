using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using Orleans.Storage;
using Orleans.Providers;
using OrleansSaas.Grains.Cluster;
using OrleansSaas.Grains.Sessions;
using OrleansSaas.Testing;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.InProcess;

/// <summary>The in-process silos run what the silo host runs: both containers come from the one registration method.</summary>
public sealed class SharedRegistrationTests
{
    /// <summary>What only the silo host has, on purpose: its HTTP side (health, dashboard, who may see them) and its telemetry.</summary>
    private static readonly string[] HostOnlyOptions = ["SiloHostOptions", "TelemetryOptions", "OperatorAccessOptions"];
    private static readonly string[] HostOnlyFilters = ["SessionCallTelemetry"];

    [Fact]
    public async Task The_silo_host_and_the_in_process_cluster_register_the_same_product_services()
    {
        var connectionString = await PostgresServer.Instance.CreateDatabaseAsync("registration");
        using var production = SiloHostServices.Build(
            $"--ConnectionStrings:Postgres={connectionString}",
            $"--Security:CredentialKey={Convert.ToBase64String(new byte[32])}");
        await using var cluster = await InProcessCluster.StartAsync(silos: 1);
        var host = production.Services;
        var test = cluster.ServicesOf(cluster.Silos[0]);

        Assert.Equal(ProductTypes<IHostedService>(host), ProductTypes<IHostedService>(test));
        Assert.Equal(ProductTypes<ILifecycleParticipant<ISiloLifecycle>>(host), ProductTypes<ILifecycleParticipant<ISiloLifecycle>>(test));
        Assert.Equal(ProductTypes<IIncomingGrainCallFilter>(host).Except(HostOnlyFilters), ProductTypes<IIncomingGrainCallFilter>(test));
        var options = ConfiguredOptions(test);
        Assert.Equal(ConfiguredOptions(host).Where(o => !HostOnlyOptions.Contains(o.Name)), options);
        Assert.Contains(typeof(SessionOptions), options);
        foreach (var type in options)
        {
            var optionsType = typeof(IOptions<>).MakeGenericType(type);
            Assert.NotNull(optionsType.GetProperty(nameof(IOptions<object>.Value))!.GetValue(test.GetRequiredService(optionsType))); // binds and validates
        }

        Assert.Equal(host.GetRequiredService<IReminderTable>().GetType(), test.GetRequiredService<IReminderTable>().GetType());
        Assert.Equal(host.GetRequiredService<IMembershipTable>().GetType(), test.GetRequiredService<IMembershipTable>().GetType());
        Assert.Equal(host.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME).GetType(),
            test.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME).GetType());
        Assert.Equal(typeof(SessionPlacementDirector), test.GetRequiredKeyedService<IPlacementDirector>(typeof(SessionPlacementStrategy)).GetType());
        Assert.Equal(typeof(SessionPlacementDirector), host.GetRequiredKeyedService<IPlacementDirector>(typeof(SessionPlacementStrategy)).GetType());
    }

    private static List<string> ProductTypes<T>(IServiceProvider services) where T : notnull =>
        services.GetServices<T>().Select(s => s.GetType()).Where(IsProduct).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>Every options class of the product that has a configuration (a section bound, a validation) in this container.</summary>
    private static List<Type> ConfiguredOptions(IServiceProvider services) =>
        AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name!.StartsWith("OrleansSaas.", StringComparison.Ordinal) && !a.GetName().Name!.Contains("Tests"))
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false } && t.Name.EndsWith("Options", StringComparison.Ordinal))
            .Where(t => services.GetServices(typeof(IConfigureOptions<>).MakeGenericType(t)).Any() || services.GetServices(typeof(IValidateOptions<>).MakeGenericType(t)).Any())
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();

    private static bool IsProduct(Type type) => type.Namespace?.StartsWith("OrleansSaas.", StringComparison.Ordinal) == true;
}
