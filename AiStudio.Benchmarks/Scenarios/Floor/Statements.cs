namespace AiStudio.Benchmarks.Scenarios.Floor;

/// <summary>
/// The app's statements as it sends them, copied from its logged SQL: EF Core's for the app's tables (the same text runs on
/// SQLite and PostgreSQL), Quartz 4.7's for its store. If the app's SQL changes, log it again (EF Core's
/// Microsoft.EntityFrameworkCore.Database.Command category at Information, PostgreSQL's log_statement=all) and follow it here.
/// </summary>
internal static class Statements
{
    // ---------------------------------------------------------------- starting a build

    public const string SelectBillingAccount =
        """
        SELECT "b"."UserId", "b"."CancelAtPeriodEnd", "b"."CurrentPeriodEnd", "b"."LastEventCreatedAt", "b"."PastDueSince", "b"."PlanName", "b"."Status",
            "b"."StripeCustomerId", "b"."StripeSubscriptionId", "b"."UpdatedAt", "b"."Version"
        FROM "BillingAccounts" AS "b"
        WHERE "b"."UserId" = @p0
        LIMIT 2
        """;

    public const string SelectProject =
        """
        SELECT "p"."Id", "p"."CreatedAt", "p"."CreatedBy", "p"."Name", "p"."RequireSeparateApprover", "p"."RequiredApprovals", "p"."UpdatedAt", "p"."Version",
            "p1"."ProjectId", "p1"."UserId", "p1"."AddedAt", "p1"."Role"
        FROM "Projects" AS "p"
        LEFT JOIN "ProjectMembers" AS "p1" ON "p"."Id" = "p1"."ProjectId"
        WHERE EXISTS (SELECT 1 FROM "ProjectMembers" AS "p0" WHERE "p"."Id" = "p0"."ProjectId" AND "p0"."UserId" = @p0) AND "p"."Name" = @p1
        ORDER BY "p"."Id", "p1"."ProjectId"
        """;

    public const string InsertBuild =
        """
        INSERT INTO "Builds" ("Id", "CostBudget", "CreatedAt", "CreatedBy", "Policy", "ProjectId", "Requirements", "ReworkCap", "ReworkCycles", "State",
            "StatusReason", "SuspendedPhase", "Title", "UpdatedAt", "Version")
        VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14)
        """;

    public const string InsertRun =
        """
        INSERT INTO "PhaseRuns" ("Id", "Attempt", "BuildId", "ClaimToken", "CompletedAt", "Cost", "DecidedAt", "DecidedBy", "EditedBy", "EditedOutput",
            "Error", "ExecutionCount", "Feedback", "InputTokens", "LatencyMs", "ModelId", "Output", "OutputTokens", "Phase", "PromptId", "PromptVersion",
            "Provider", "QueuedAt", "Role", "StartedAt", "Status", "Version")
        VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15, @p16, @p17, @p18, @p19, @p20, @p21, @p22, @p23,
            @p24, @p25, @p26)
        """;

    public const string InsertAudit =
        """
        INSERT INTO "AuditEvents" ("Action", "ActorId", "ActorName", "After", "Before", "BuildId", "Cost", "Detail", "EntityId", "EntityType", "Hash",
            "InputTokens", "ModelId", "OccurredAt", "OutputTokens", "PreviousHash", "ProjectId", "PromptVersion", "Sequence")
        VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15, @p16, @p17, @p18)
        RETURNING "Id"
        """;

    public const string InsertOutbox =
        """
        INSERT INTO "OutboxMessages" ("Attempts", "CreatedAt", "DispatchedAt", "DueAt", "Kind", "LastError", "Payload")
        VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6)
        RETURNING "Id"
        """;

    // ---------------------------------------------------------------- the executor

    public const string SelectBuildOfRun =
        """
        SELECT "b0"."Id", "b0"."CostBudget", "b0"."CreatedAt", "b0"."CreatedBy", "b0"."Policy", "b0"."ProjectId", "b0"."Requirements", "b0"."ReworkCap",
            "b0"."ReworkCycles", "b0"."State", "b0"."StatusReason", "b0"."SuspendedPhase", "b0"."Title", "b0"."UpdatedAt", "b0"."Version", "p0"."Id",
            "p0"."Attempt", "p0"."BuildId", "p0"."ClaimToken", "p0"."CompletedAt", "p0"."Cost", "p0"."DecidedAt", "p0"."DecidedBy", "p0"."EditedBy",
            "p0"."EditedOutput", "p0"."Error", "p0"."ExecutionCount", "p0"."Feedback", "p0"."InputTokens", "p0"."LatencyMs", "p0"."ModelId", "p0"."Output",
            "p0"."OutputTokens", "p0"."Phase", "p0"."PromptId", "p0"."PromptVersion", "p0"."Provider", "p0"."QueuedAt", "p0"."Role", "p0"."StartedAt",
            "p0"."Status", "p0"."Version"
        FROM (
            SELECT "b"."Id", "b"."CostBudget", "b"."CreatedAt", "b"."CreatedBy", "b"."Policy", "b"."ProjectId", "b"."Requirements", "b"."ReworkCap",
                "b"."ReworkCycles", "b"."State", "b"."StatusReason", "b"."SuspendedPhase", "b"."Title", "b"."UpdatedAt", "b"."Version"
            FROM "Builds" AS "b"
            WHERE "b"."Id" = COALESCE((SELECT "p"."BuildId" FROM "PhaseRuns" AS "p" WHERE "p"."Id" = @p0 LIMIT 1), '00000000-0000-0000-0000-000000000000')
            LIMIT 2
        ) AS "b0"
        LEFT JOIN "PhaseRuns" AS "p0" ON "b0"."Id" = "p0"."BuildId"
        ORDER BY "b0"."Id"
        """;

    public const string SelectActivePrompt =
        """
        SELECT "r"."Id", "r"."ChangeNote", "r"."CreatedAt", "r"."CreatedBy", "r"."IsActive", "r"."Role", "r"."Text", "r"."Version"
        FROM "RolePrompts" AS "r"
        WHERE "r"."Role" = @p0 AND "r"."IsActive"
        LIMIT 2
        """;

    public const string SelectEarlierMessages =
        """
        SELECT "c"."PhaseRunId", "c"."Sequence", "c"."Author", "c"."Content"
        FROM "ConversationMessages" AS "c"
        WHERE "c"."BuildId" = @p0 AND "c"."Role" = @p1 AND "c"."PhaseRunId" <> @p2 AND "c"."Author" <> 'System'
        ORDER BY "c"."CreatedAt", "c"."Sequence"
        """;

    public const string UpdateRunClaim =
        """
        UPDATE "PhaseRuns" SET "ClaimToken" = @p0, "ExecutionCount" = @p1, "StartedAt" = @p2, "Status" = @p3, "Version" = @p4
        WHERE "Id" = @p5 AND "Version" = @p6
        """;

    public const string UpdateBuild =
        """
        UPDATE "Builds" SET "State" = @p0, "UpdatedAt" = @p1, "Version" = @p2
        WHERE "Id" = @p3 AND "Version" = @p4
        """;

    public const string InsertMessage =
        """
        INSERT INTO "ConversationMessages" ("Author", "BuildId", "Content", "CreatedAt", "PhaseRunId", "Role", "Sequence")
        VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6)
        RETURNING "Id"
        """;

    public const string UpdateRunOutcome =
        """
        UPDATE "PhaseRuns" SET "ClaimToken" = @p0, "CompletedAt" = @p1, "DecidedAt" = @p2, "DecidedBy" = @p3, "InputTokens" = @p4, "LatencyMs" = @p5,
            "ModelId" = @p6, "Output" = @p7, "OutputTokens" = @p8, "PromptId" = @p9, "PromptVersion" = @p10, "Provider" = @p11, "Status" = @p12, "Version" = @p13
        WHERE "Id" = @p14 AND "Version" = @p15
        """;

    // ---------------------------------------------------------------- the outbox dispatcher

    public const string SelectDueOutbox =
        """
        SELECT "o"."Id", "o"."Attempts", "o"."CreatedAt", "o"."DispatchedAt", "o"."DueAt", "o"."Kind", "o"."LastError", "o"."Payload"
        FROM "OutboxMessages" AS "o"
        WHERE "o"."DispatchedAt" IS NULL AND "o"."DueAt" <= @p0
        ORDER BY "o"."Id"
        LIMIT @p1
        """;

    public const string MarkHandedOn =
        """
        UPDATE "OutboxMessages" SET "Attempts" = @p0, "DispatchedAt" = @p1
        WHERE "Id" = @p2
        """;

    // ---------------------------------------------------------------- Quartz: storing a job (ScheduleJob)

    public const string JobExists = "SELECT 1 FROM QRTZ_JOB_DETAILS WHERE SCHED_NAME = @p0 AND JOB_NAME = @p1 AND JOB_GROUP = @p2";

    public const string TriggerExists = "SELECT 1 FROM QRTZ_TRIGGERS WHERE SCHED_NAME = @p0 AND TRIGGER_NAME = @p1 AND TRIGGER_GROUP = @p2";

    public const string PausedTriggerGroup = "SELECT TRIGGER_GROUP FROM QRTZ_PAUSED_TRIGGER_GRPS WHERE SCHED_NAME = @p0 AND TRIGGER_GROUP = @p1";

    public const string PausedJobGroup = "SELECT JOB_GROUP FROM QRTZ_PAUSED_JOB_GRPS WHERE SCHED_NAME = @p0 AND JOB_GROUP = @p1";

    public const string InsertJob =
        """
        INSERT INTO QRTZ_JOB_DETAILS (SCHED_NAME, JOB_NAME, JOB_GROUP, DESCRIPTION, JOB_CLASS_NAME, IS_DURABLE, IS_NONCONCURRENT, IS_UPDATE_DATA,
            REQUESTS_RECOVERY, JOB_DATA)
        VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9)
        """;

    public const string InsertTrigger =
        """
        INSERT INTO QRTZ_TRIGGERS (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP, JOB_NAME, JOB_GROUP, DESCRIPTION, NEXT_FIRE_TIME, PREV_FIRE_TIME, TRIGGER_STATE,
            TRIGGER_TYPE, START_TIME, END_TIME, CALENDAR_NAME, MISFIRE_INSTR, JOB_DATA, PRIORITY, EXECUTION_GROUP, PREFERRED_NODE, PREFERRED_NODE_AUTO,
            RETRY_POLICY, RETRY_ATTEMPT, CONTINUES_TRIGGER_NAME, CONTINUES_TRIGGER_GROUP, CONTINUATION_CONDITION, OVERLAP_POLICY, MISFIRE_THRESHOLD, FIXED_DELAY)
        VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15, @p16, @p17, @p18, @p19, @p20, @p21, @p22, @p23,
            @p24, @p25, @p26)
        """;

    public const string InsertSimpleTrigger =
        """
        INSERT INTO QRTZ_SIMPLE_TRIGGERS (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP, REPEAT_COUNT, REPEAT_INTERVAL, TIMES_TRIGGERED)
        VALUES (@p0, @p1, @p2, @p3, @p4, @p5)
        """;

    // ---------------------------------------------------------------- Quartz: acquiring and firing (the scheduler thread)

    public const string AcquireTriggers =
        """
        SELECT t.TRIGGER_NAME, t.TRIGGER_GROUP, jd.JOB_CLASS_NAME, jd.IS_NONCONCURRENT, t.EXECUTION_GROUP, t.NEXT_FIRE_TIME, t.OVERLAP_POLICY, t.FIXED_DELAY
        FROM QRTZ_TRIGGERS t
        JOIN QRTZ_JOB_DETAILS jd ON (jd.SCHED_NAME = t.SCHED_NAME AND jd.JOB_GROUP = t.JOB_GROUP AND jd.JOB_NAME = t.JOB_NAME)
        WHERE t.SCHED_NAME = @p0 AND TRIGGER_STATE = @p1 AND NEXT_FIRE_TIME <= @p2 AND (MISFIRE_INSTR = -1 OR (MISFIRE_INSTR <> -1 AND
            ((MISFIRE_THRESHOLD IS NULL AND NEXT_FIRE_TIME > @p3) OR (MISFIRE_THRESHOLD IS NOT NULL AND NEXT_FIRE_TIME > @p4 - MISFIRE_THRESHOLD * 10000))))
            AND (t.PREFERRED_NODE IS NULL OR t.PREFERRED_NODE = @p5 OR t.PREFERRED_NODE = @p6
                OR t.PREFERRED_NODE NOT IN (SELECT ss.INSTANCE_NAME FROM QRTZ_SCHEDULER_STATE ss
                    WHERE ss.SCHED_NAME = t.SCHED_NAME AND ss.LAST_CHECKIN_TIME + ss.CHECKIN_INTERVAL * 10000 >= @p7))
        ORDER BY NEXT_FIRE_TIME ASC, PRIORITY DESC LIMIT 4
        """;

    public const string MarkTriggerAcquired =
        "UPDATE QRTZ_TRIGGERS SET TRIGGER_STATE = @p0 WHERE SCHED_NAME = @p1 AND TRIGGER_NAME = @p2 AND TRIGGER_GROUP = @p3 AND TRIGGER_STATE = @p4 AND NEXT_FIRE_TIME = @p5";

    public const string SelectTrigger =
        """
        SELECT JOB_NAME, JOB_GROUP, DESCRIPTION, NEXT_FIRE_TIME, PREV_FIRE_TIME, TRIGGER_TYPE, START_TIME, END_TIME, CALENDAR_NAME, MISFIRE_INSTR, PRIORITY,
            JOB_DATA, CRON_EXPRESSION, TIME_ZONE_ID, REPEAT_COUNT, REPEAT_INTERVAL, TIMES_TRIGGERED, t.MISFIRE_ORIG_FIRE_TIME, t.EXECUTION_GROUP,
            t.PREFERRED_NODE, t.PREFERRED_NODE_AUTO, t.RETRY_POLICY, t.RETRY_ATTEMPT, t.CONTINUES_TRIGGER_NAME, t.CONTINUES_TRIGGER_GROUP,
            t.CONTINUATION_CONDITION, t.OVERLAP_POLICY, t.MISFIRE_THRESHOLD, t.FIXED_DELAY, t.TRIGGER_NAME, t.TRIGGER_GROUP
        FROM QRTZ_TRIGGERS t
        LEFT JOIN QRTZ_SIMPLE_TRIGGERS st ON (st.SCHED_NAME = t.SCHED_NAME AND st.TRIGGER_GROUP = t.TRIGGER_GROUP AND st.TRIGGER_NAME = t.TRIGGER_NAME)
        LEFT JOIN QRTZ_CRON_TRIGGERS ct ON (ct.SCHED_NAME = t.SCHED_NAME AND ct.TRIGGER_GROUP = t.TRIGGER_GROUP AND ct.TRIGGER_NAME = t.TRIGGER_NAME)
        WHERE t.SCHED_NAME = @p0 AND t.TRIGGER_NAME = @p1 AND t.TRIGGER_GROUP = @p2
        """;

    public const string SelectJob =
        """
        SELECT JOB_NAME, JOB_GROUP, DESCRIPTION, JOB_CLASS_NAME, IS_DURABLE, REQUESTS_RECOVERY, JOB_DATA, IS_NONCONCURRENT, IS_UPDATE_DATA
        FROM QRTZ_JOB_DETAILS WHERE SCHED_NAME = @p0 AND ((JOB_NAME = @p1 AND JOB_GROUP = @p2))
        """;

    public const string InsertFiredTrigger =
        """
        INSERT INTO QRTZ_FIRED_TRIGGERS (SCHED_NAME, ENTRY_ID, TRIGGER_NAME, TRIGGER_GROUP, INSTANCE_NAME, FIRED_TIME, SCHED_TIME, STATE, JOB_NAME, JOB_GROUP,
            IS_NONCONCURRENT, REQUESTS_RECOVERY, PRIORITY, EXECUTION_GROUP)
        VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13)
        """;

    public const string UpdateTrigger =
        """
        UPDATE QRTZ_TRIGGERS SET JOB_NAME = @p0, JOB_GROUP = @p1, DESCRIPTION = @p2, NEXT_FIRE_TIME = @p3, PREV_FIRE_TIME = @p4, TRIGGER_STATE = @p5,
            TRIGGER_TYPE = @p6, START_TIME = @p7, END_TIME = @p8, CALENDAR_NAME = @p9, MISFIRE_INSTR = @p10, PRIORITY = @p11, EXECUTION_GROUP = @p12,
            RETRY_POLICY = @p13, RETRY_ATTEMPT = @p14, CONTINUES_TRIGGER_NAME = @p15, CONTINUES_TRIGGER_GROUP = @p16, CONTINUATION_CONDITION = @p17,
            OVERLAP_POLICY = @p18, MISFIRE_THRESHOLD = @p19, FIXED_DELAY = @p20
        WHERE SCHED_NAME = @p21 AND TRIGGER_NAME = @p22 AND TRIGGER_GROUP = @p23
        """;

    public const string UpdateSimpleTrigger =
        "UPDATE QRTZ_SIMPLE_TRIGGERS SET REPEAT_COUNT = @p0, REPEAT_INTERVAL = @p1, TIMES_TRIGGERED = @p2 WHERE SCHED_NAME = @p3 AND TRIGGER_NAME = @p4 AND TRIGGER_GROUP = @p5";

    // ---------------------------------------------------------------- Quartz: a job done (TriggeredJobComplete)

    public const string SelectContinuations =
        "SELECT TRIGGER_NAME, TRIGGER_GROUP, CONTINUATION_CONDITION FROM QRTZ_TRIGGERS WHERE SCHED_NAME = @p0 AND TRIGGER_STATE = @p1 AND CONTINUES_TRIGGER_NAME = @p2 AND CONTINUES_TRIGGER_GROUP = @p3";

    public const string SelectTriggerState =
        "SELECT TRIGGER_STATE, NEXT_FIRE_TIME, JOB_NAME, JOB_GROUP, TRIGGER_TYPE FROM QRTZ_TRIGGERS WHERE SCHED_NAME = @p0 AND TRIGGER_NAME = @p1 AND TRIGGER_GROUP = @p2";

    public const string DeleteSimpleTrigger = "DELETE FROM QRTZ_SIMPLE_TRIGGERS WHERE SCHED_NAME = @p0 AND TRIGGER_NAME = @p1 AND TRIGGER_GROUP = @p2";

    public const string DeleteTrigger = "DELETE FROM QRTZ_TRIGGERS WHERE SCHED_NAME = @p0 AND TRIGGER_NAME = @p1 AND TRIGGER_GROUP = @p2 AND TRIGGER_TYPE = @p3";

    public const string DeleteOrphanFiredTrigger =
        """
        DELETE FROM QRTZ_FIRED_TRIGGERS WHERE SCHED_NAME = @p0 AND TRIGGER_NAME = @p1 AND TRIGGER_GROUP = @p2 AND NOT EXISTS (SELECT 1 FROM QRTZ_TRIGGERS t
            WHERE t.SCHED_NAME = QRTZ_FIRED_TRIGGERS.SCHED_NAME AND t.TRIGGER_NAME = QRTZ_FIRED_TRIGGERS.TRIGGER_NAME AND t.TRIGGER_GROUP = QRTZ_FIRED_TRIGGERS.TRIGGER_GROUP)
        """;

    public const string CountTriggersOfJob = "SELECT COUNT(TRIGGER_NAME) FROM QRTZ_TRIGGERS WHERE SCHED_NAME = @p0 AND JOB_NAME = @p1 AND JOB_GROUP = @p2";

    public const string DeleteFiredTriggersOfJob = "DELETE FROM QRTZ_FIRED_TRIGGERS WHERE SCHED_NAME = @p0 AND JOB_NAME = @p1 AND JOB_GROUP = @p2";

    public const string DeleteJob = "DELETE FROM QRTZ_JOB_DETAILS WHERE SCHED_NAME = @p0 AND JOB_NAME = @p1 AND JOB_GROUP = @p2";
}
