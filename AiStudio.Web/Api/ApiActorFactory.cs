using System.Security.Claims;
using AiStudio.Core.Common;

namespace AiStudio.Web.Api;

/// <summary>
/// The API caller as the <see cref="Actor"/> Core services check. Same rule as
/// <see cref="Infrastructure.CurrentActor"/> (admins by Admin:Emails); duplicated because that one reads the circuit's state.
/// </summary>
internal sealed class ApiActorFactory(IConfiguration configuration)
{
    public Actor From(ClaimsPrincipal user)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("The API endpoints need an authenticated caller.");
        var name = user.Identity?.Name ?? id;
        var admins = configuration.GetSection("Admin:Emails").Get<string[]>() ?? [];
        return new Actor(id, name, admins.Contains(name, StringComparer.OrdinalIgnoreCase));
    }
}
