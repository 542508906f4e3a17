using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OrleansSaas.Observability;

/// <summary>
/// Bound from the "Operators" section (OPERATORS__* variables) of silos and gateways: the local addresses on which
/// the operators' pages (/metrics, and the silo's /dashboard) are served. A request that arrived on any other
/// address of the host (its public interface) gets 404, as if they did not exist.
/// </summary>
public sealed class OperatorAccessOptions : IValidatableObject
{
    public const string Section = "Operators";

    /// <summary>Networks in CIDR form; empty means loopback only (127.0.0.0/8 and ::1), reached from the host itself or through a tunnel.</summary>
    public List<string> Networks { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var network in Networks)
            if (!IPNetwork.TryParse(network, out _))
                yield return new ValidationResult($"Operators:Networks: '{network}' is not a network in CIDR form (e.g. 10.0.0.0/24).", [nameof(Networks)]);
    }
}

public static class OperatorAccess
{
    /// <summary>The operators' pages; everything else is for clients (or, on a silo, health probes).</summary>
    public static readonly PathString[] OperatorPaths = [TelemetryRegistration.MetricsPath, "/dashboard"];

    private static readonly IPNetwork[] Loopback = [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")];

    public static IServiceCollection AddOperatorAccess(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        services.AddOptions<OperatorAccessOptions>().Bind(configuration.GetSection(OperatorAccessOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }

    /// <summary>Answers 404 for an operators' page asked for on an address outside <see cref="OperatorAccessOptions.Networks"/>.</summary>
    public static IApplicationBuilder UseOperatorAccess(this IApplicationBuilder app)
    {
        var configured = app.ApplicationServices.GetRequiredService<IOptions<OperatorAccessOptions>>().Value.Networks;
        var networks = configured.Count == 0 ? Loopback : configured.Select(n => IPNetwork.Parse(n)).ToArray();
        return app.Use(async (context, next) =>
        {
            if (OperatorPaths.Any(p => context.Request.Path.StartsWithSegments(p)) && !Allowed(context.Connection.LocalIpAddress, networks))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            await next(context);
        });
    }

    private static bool Allowed(IPAddress? local, IPNetwork[] networks)
    {
        if (local is null) return false;
        var address = local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local;
        return networks.Any(n => n.Contains(address));
    }
}
