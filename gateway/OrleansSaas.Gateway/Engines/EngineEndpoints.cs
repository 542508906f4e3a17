using OrleansSaas.Contracts.Engines;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway.Engines;

public sealed record EngineSettingResponse(string Name, string Type, bool Required, bool Secret, string Description);

/// <param name="Pairing">How a session of the engine pairs ("qr", "pairing_code"); empty when its settings suffice.</param>
/// <param name="SettingsField">The POST /v1/sessions field that carries the engine's settings; null when it takes none.</param>
/// <param name="PeerForms">How a message's <c>to</c> may name the peer: "phone_number" (E.164), and "user_id" (a business-scoped user id) where the network has them.</param>
public sealed record EngineResponse(string Name, string DisplayName, string Description, IReadOnlyList<string> Pairing,
    IReadOnlyList<string> MessageTypes, string? SettingsField, IReadOnlyList<EngineSettingResponse> Settings, IReadOnlyList<string> PeerForms);

public sealed record EngineListResponse(IReadOnlyList<EngineResponse> Data);

/// <summary>GET /v1/engines: the engines a session can be created with and what each can carry. Any valid API key may ask.</summary>
public static class EngineEndpoints
{
    public static void MapEngineEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/engines").WithTags("Engines").ProducesCommonProblems();
        group.MapGet("/", List).RequireAuthorization().Produces<EngineListResponse>();
    }

    private static async Task<IResult> List(IClusterClient cluster)
    {
        var engines = await cluster.GetGrain<IEngineCatalogGrain>(0).List();
        return TypedResults.Ok(new EngineListResponse(engines.OrderBy(e => e.Name == "simulated" ? 0 : 1).ThenBy(e => e.Name, StringComparer.Ordinal)
            .Select(e => new EngineResponse(e.Name, e.DisplayName, e.Description, e.Pairing, e.MessageTypes, e.SettingsField,
                e.Settings.Select(s => new EngineSettingResponse(s.Name, s.Type, s.Required, s.Secret, s.Description)).ToList(),
                e.UserIdPeers ? ["phone_number", "user_id"] : ["phone_number"]))
            .ToList()));
    }
}
