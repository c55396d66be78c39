using System.Security.Claims;
using AiStudio.Core.Common;
using AiStudio.Core.Identity;
using AiStudio.Core.Users;

namespace AiStudio.Web.Infrastructure;

/// <summary>
/// The one rule that turns a signed-in user (cookie, circuit or API token) into the <see cref="Actor"/>
/// that Core services check: the user's id and name, and admin when the user holds the Admin role claim
/// or the name is listed in Admin:Emails.
/// </summary>
public sealed class ActorFactory(IConfiguration configuration)
{
    private readonly ConfiguredAdmins _configuredAdmins = new(configuration);

    public Actor? TryFrom(ClaimsPrincipal user)
    {
        if (user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } id)
        {
            return null;
        }

        var name = user.Identity?.Name ?? id;
        return new Actor(id, name, user.IsInRole(AdminRole.Name) || _configuredAdmins.Contains(name));
    }

    public Actor From(ClaimsPrincipal user) =>
        TryFrom(user) ?? throw new InvalidOperationException("This needs a signed-in user.");
}
