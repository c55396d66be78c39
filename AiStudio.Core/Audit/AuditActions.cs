namespace AiStudio.Core.Audit;

public static class AuditActions
{
    public const string BuildStarted = "build.started";
    public const string PhaseApproved = "phase.approved";
    public const string PhaseRejected = "phase.rejected";
    public const string PhaseSentBack = "phase.sent-back";
    public const string BuildHeld = "build.held";
    public const string BuildResumed = "build.resumed";
    public const string BuildCancelled = "build.cancelled";
    public const string BuildCompleted = "build.completed";
    public const string RunStarted = "run.started";
    public const string RunCompleted = "run.completed";
    public const string RunFailed = "run.failed";
    public const string RunRetried = "run.retried";
    public const string RunRequeued = "run.requeued";
    public const string ProjectCreated = "project.created";
    public const string SignedIn = "account.signed-in";
    public const string SignInFailed = "account.sign-in-failed";
    public const string LockedOut = "account.locked-out";
    public const string SignedOut = "account.signed-out";
    public const string AccountCreated = "account.created";
    public const string PasswordChanged = "account.password-changed";
    public const string PasswordSet = "account.password-set";
    public const string PasswordReset = "account.password-reset";
    public const string EmailChanged = "account.email-changed";
    public const string TwoFactorEnabled = "account.2fa-enabled";
    public const string TwoFactorDisabled = "account.2fa-disabled";
    public const string AuthenticatorReset = "account.authenticator-reset";
    public const string RecoveryCodesGenerated = "account.recovery-codes-generated";
}
