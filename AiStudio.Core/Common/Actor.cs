namespace AiStudio.Core.Common;

/// <summary>The signed-in person (or system process) on whose behalf a service acts.</summary>
public sealed record Actor(string UserId, string DisplayName, bool IsAdmin = false)
{
    public static Actor System { get; } = new("system", "AiStudio", IsAdmin: true);
}
