using Microsoft.AspNetCore.Identity;

namespace AiStudio.Core.Identity;

public class ApplicationUser : IdentityUser
{
}
