using Microsoft.AspNetCore.Identity;

namespace AiStudio.Core.Identity;

public class ApplicationUser : IdentityUser
{
    /// <summary>Null for accounts made before this was recorded.</summary>
    public DateTimeOffset? CreatedAt { get; set; }

    public DateTimeOffset? LastSignInAt { get; set; }
}
