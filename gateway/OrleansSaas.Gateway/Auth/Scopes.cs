using Microsoft.AspNetCore.Authorization;

namespace OrleansSaas.Gateway.Auth;

/// <summary>What an API key may do. Each scope is also the name of the authorization policy that requires it.</summary>
public static class Scopes
{
    public const string ClaimType = "scope";
    public const string SessionsRead = "sessions:read";
    public const string SessionsWrite = "sessions:write";
    public const string MessagesSend = "messages:send";
    public const string MessagesRead = "messages:read";
    public const string WebhooksManage = "webhooks:manage";
    public const string EventsRead = "events:read";

    public static readonly IReadOnlyList<string> All = [SessionsRead, SessionsWrite, MessagesSend, MessagesRead, WebhooksManage, EventsRead];

    public static AuthorizationBuilder AddScopePolicies(this AuthorizationBuilder authorization)
    {
        foreach (var scope in All)
            authorization.AddPolicy(scope, policy => policy.RequireAuthenticatedUser().RequireClaim(ClaimType, scope));
        return authorization;
    }
}
