using System.Security.Claims;
using AiStudio.Core.Common;
using Microsoft.AspNetCore.Components.Authorization;

namespace AiStudio.Web.Infrastructure;

/// <summary>Turns the circuit's signed-in user into the <see cref="Actor"/> that Core services check.</summary>
public sealed class CurrentActor(AuthenticationStateProvider authentication, IConfiguration configuration)
{
    public async Task<Actor> GetAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("This page needs a signed-in user.");
        var name = user.Identity?.Name ?? id;
        var admins = configuration.GetSection("Admin:Emails").Get<string[]>() ?? [];
        return new Actor(id, name, admins.Contains(name, StringComparer.OrdinalIgnoreCase));
    }
}
