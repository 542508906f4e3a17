using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansSaas.Data.Events;
using OrleansSaas.Data.Messaging;
using OrleansSaas.Data.Sessions;
using OrleansSaas.Data.Simulation;
using OrleansSaas.Data.Webhooks;

namespace OrleansSaas.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>Registers one pooled data source for the app tables and the stores that use it.</summary>
    public static IServiceCollection AddAppData(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        services.AddSingleton<MessageStore>();
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton<SimulatedNetworkStore>();
        services.AddSingleton<EventStore>();
        services.AddSingleton<WebhookStore>();
        services.AddMediaStore();
        return services;
    }
}
