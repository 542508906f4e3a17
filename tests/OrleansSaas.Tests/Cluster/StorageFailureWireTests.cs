using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Serialization;
using OrleansSaas.Contracts.Cluster;
using Xunit;

namespace OrleansSaas.Tests.Cluster;

/// <summary>
/// A grain whose activation fails on the database replies with an Orleans exception that holds the driver's exception.
/// That reply must reach the gateway as a database failure (a 503), not as a codec error (a 500).
/// </summary>
public sealed class StorageFailureWireTests
{
    private static Exception ActivationFailure() =>
        new OrleansException("Error activating grain", new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01"));

    private static Serializer SerializerFor(bool allowDatabaseFailures)
    {
        var services = new ServiceCollection().AddSerializer();
        if (allowDatabaseFailures) services.Configure<ExceptionSerializationOptions>(DatabaseFailure.AllowOnTheWire);
        return services.BuildServiceProvider().GetRequiredService<Serializer>();
    }

    [Fact]
    public void A_database_failure_inside_an_orleans_exception_crosses_the_wire()
    {
        var serializer = SerializerFor(allowDatabaseFailures: true);

        var received = serializer.Deserialize<Exception>(serializer.SerializeToArray(ActivationFailure()))!;

        Assert.True(DatabaseFailure.IsInChain(received));
        Assert.IsAssignableFrom<PostgresException>(received.InnerException);
    }

    [Fact]
    public void Without_the_option_the_reply_cannot_be_serialized()
    {
        var serializer = SerializerFor(allowDatabaseFailures: false);

        Assert.ThrowsAny<CodecNotFoundException>(() => serializer.SerializeToArray(ActivationFailure()));
    }
}
