namespace AiStudio.Core.Users;

public static class UserAuditActions
{
    public const string Locked = "user.locked";
    public const string Unlocked = "user.unlocked";
    public const string Promoted = "user.promoted";
    public const string Demoted = "user.demoted";

    // The before/after states these events record.
    internal const string Member = "member";
    internal const string Admin = "admin";
    internal const string Active = "unlocked";
    internal const string LockedState = "locked";
}
