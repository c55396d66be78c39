using System.Security.Claims;
using AiStudio.Core.Common;

namespace AiStudio.Web.Infrastructure;

/// <summary>
/// The one rule that turns a signed-in user (cookie, circuit or API token) into the <see cref="Actor"/>
/// that Core services check: the user's id and name, and admin when the name is listed in Admin:Emails.
/// </summary>
public sealed class ActorFactory(IConfiguration configuration)
{
    public Actor? TryFrom(ClaimsPrincipal user)
    {
        if (user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } id)
        {
            return null;
        }

        var name = user.Identity?.Name ?? id;
        var admins = configuration.GetSection("Admin:Emails").Get<string[]>() ?? [];
        return new Actor(id, name, admins.Contains(name, StringComparer.OrdinalIgnoreCase));
    }

    public Actor From(ClaimsPrincipal user) =>
        TryFrom(user) ?? throw new InvalidOperationException("This needs a signed-in user.");
}
