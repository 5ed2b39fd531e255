#!/usr/bin/python3
"""report_model: a reference model of every figure of `triagectl report`.

Issue 16 asks for "a small, obviously-correct implementation in the test
suite (a different language ...) that computes every report figure from
the event history".  This is it, in Debian's python3 with its own
zoneinfo: it never asks triaged how long a business hour is.

    report_model.py conf SEED PARAMS     prints the config lines of a round
                                         (random calendars and policies)
                                         and saves them to PARAMS (JSON)
    report_model.py check SEED PARAMS DB TRIAGECTL CONF
                                         writes random request histories
                                         into DB, runs `triagectl report
                                         --json` and compares every figure
                                         of every group, exit 1 on any
                                         disagreement

A round is one seed: a report calendar and two SLA policies' calendars,
each with a random IANA zone (DST north and south, half-hour offsets, none),
random working hours (up to three intervals a day, some ending at 24:00,
weekends mostly closed), holidays and an extra working day, around a DST
change of 2026; and NREQ requests with random lives: status changes with
pauses (pending), resolutions straight from pending, reopens, a first
answer or none, a policy chosen by name, by priority or by default (or
none: the deadlines stored on the row count), breach marks present or
missing (the daemon down at the deadline), warning marks (which never
count), messages in and out, ratings, spam and merged requests (never
counted), and requests opened outside the period (only in the backlog).

Everything lies on a 5-minute grid (times, working hours, SLA targets), so
the model walks every life in 5-minute steps asking only "is the office
open in this step" and "is the request pending in this step".  A
calendar's step is open when it lies between the first and the last
instant of a local date whose wall-clock time falls in one of that date's
intervals (include/base/calendar.h: an interval opens when the clock first
reaches its start and closes when it last reaches its end).

The SLA clock of the resolution runs in the policy's business time while
the request is not pending; its due time is the first instant that clock
reaches the target.  An answer after the due time is a breach, as is no
answer once the due time has passed, as is a breach mark.
"""

import json
import os
import random
import subprocess
import sys
import testdb
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

STEP = 300
NREQ = 520
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ZONES = ["Europe/Warsaw", "America/New_York", "Australia/Sydney",
         "Asia/Tokyo", "Asia/Kolkata", "UTC", "Europe/Moscow",
         "America/Sao_Paulo"]
# Mondays 00:00 UTC a little before a DST change of 2026 (EU 29 Mar and
# 25 Oct, US 8 Mar and 1 Nov, Sydney 5 Apr and 4 Oct)
BASES = ["2026-03-02", "2026-03-16", "2026-09-21", "2026-10-12"]
STATUSES = ["open", "pending", "resolved", "closed"]
PRIORITIES = ["low", "normal", "high", "urgent"]
CATEGORIES = ["Billing", "Hardware", "Software/Mail", "Sales"]


def utc(s):
    return int(datetime.strptime(s, "%Y-%m-%d").replace(
        tzinfo=timezone.utc).timestamp())


def hm(q):
    """Quarter hours since midnight as "H:MM" (96: "24:00")."""
    return "%d:%02d" % (q // 4, q % 4 * 15)


def make_calendar(rng, name, base):
    cal = {"name": name, "timezone": rng.choice(ZONES), "hours": {},
           "holidays": [], "workdays": []}
    for i, day in enumerate(DAYS):
        if (i >= 5 and rng.random() < 0.75) or rng.random() < 0.08:
            cal["hours"][day] = []
            continue
        n = rng.choice([1, 1, 1, 2, 2, 3])
        pts = sorted(rng.sample(range(0, 97), 2 * n))
        cal["hours"][day] = [[pts[2 * k], pts[2 * k + 1]]
                             for k in range(n)]
    start = datetime.fromtimestamp(base, timezone.utc).date()
    days = [start + timedelta(days=d) for d in range(-2, 45)]
    for d in rng.sample(days, rng.randint(0, 3)):
        cal["holidays"].append(d.isoformat())
    weekend = [d for d in days if d.weekday() >= 5 and
               d.isoformat() not in cal["holidays"]]
    for d in rng.sample(weekend, rng.randint(0, 1)):
        cal["workdays"].append(d.isoformat())
    return cal


def make_params(seed):
    rng = random.Random(seed)
    base = utc(rng.choice(BASES))
    p = {"seed": seed, "base": base,
         "rcal": make_calendar(rng, "rcal", base),
         "pcal": make_calendar(rng, "pcal", base),
         "policies": [
             {"name": "p1", "calendar": "pcal",
              "first_response": 5 * rng.randint(1, 60),
              "resolution": 5 * rng.randint(12, 400),
              "priorities": ["high", "urgent"]},
             {"name": "p2",
              "calendar": rng.choice(["rcal", None]),
              "first_response": 5 * rng.randint(1, 200),
              "resolution": 5 * rng.randint(12, 900),
              "priorities": ["low"]}],
         "default": rng.choice(["p1", "p2", "", None])}
    return p


def conf_text(p):
    out = ["calendars = ("]
    cals = []
    for c in (p["rcal"], p["pcal"]):
        hours = "; ".join("%s = [ %s ]" % (d, ", ".join(
            '"%s-%s"' % (hm(a), hm(b)) for a, b in c["hours"][d]))
            for d in DAYS)
        cals.append('  { name = "%s"; timezone = "%s";\n'
                    '    hours = { %s; };\n'
                    '    holidays = [ %s ]; workdays = [ %s ]; }' % (
                        c["name"], c["timezone"], hours,
                        ", ".join('"%s"' % d for d in c["holidays"]),
                        ", ".join('"%s"' % d for d in c["workdays"])))
    out.append(",\n".join(cals))
    out.append(");")
    out.append("sla_policies = (")
    pols = []
    for q in p["policies"]:
        s = '  { name = "%s"; ' % q["name"]
        if q["calendar"]:
            s += 'calendar = "%s"; ' % q["calendar"]
        s += "first_response = %d; resolution = %d; priorities = [ %s ]; }" \
            % (q["first_response"], q["resolution"],
               ", ".join('"%s"' % x for x in q["priorities"]))
        pols.append(s)
    out.append(",\n".join(pols))
    out.append(");")
    if p["default"] is not None:
        out.append('sla = { default_policy = "%s"; };' % p["default"])
    out.append('reports = { calendar = "rcal"; };')
    return "\n".join(out) + "\n"


class Calendar:
    """Which 5-minute steps of [t0, t0 + n steps) are business time."""

    def __init__(self, c, t0, n):
        self.t0 = t0
        self.open = [False] * n
        if c is None:
            self.open = [True] * n
            return
        zone = ZoneInfo(c["timezone"])
        bydate = {}
        for i in range(n):
            lt = datetime.fromtimestamp(t0 + i * STEP, zone)
            bydate.setdefault(lt.date(), []).append(
                (i, lt.hour * 60 + lt.minute))
        for d, steps in bydate.items():
            iso = d.isoformat()
            if iso in c["holidays"]:
                continue
            day = "mon" if iso in c["workdays"] else DAYS[d.weekday()]
            for a, b in c["hours"][day]:
                inside = [i for i, tod in steps
                          if a * 15 <= tod < b * 15]
                for i in range(inside[0], inside[-1] + 1) if inside else []:
                    self.open[i] = True

    def idx(self, t):
        assert (t - self.t0) % STEP == 0
        return (t - self.t0) // STEP

    def between(self, a, b):
        if b <= a:
            return 0
        return sum(self.open[self.idx(a):self.idx(b)]) * STEP


def make_life(rng, rid, base, now):
    """A request as ticket_ops would leave it (test_report_model.c)."""
    cur = "new" if rng.random() < 0.5 else "open"
    life = {"id": rid, "created": base + rng.randrange(21 * 288) * STEP,
            "events": [], "first_at": 0, "resolved_at": 0}
    t = life["created"]
    for _ in range(rng.randint(0, 8)):
        nxt = rng.choice([s for s in STATUSES if s != cur])
        t += (1 + rng.randrange(24 if rng.random() < 0.66 else 432)) * STEP
        if t > now:
            break
        life["events"].append((t, cur, nxt))
        if nxt == "resolved":
            life["resolved_at"] = t
        elif nxt == "closed" and life["resolved_at"] == 0:
            life["resolved_at"] = t
        cur = nxt
    life["status"] = cur
    if rng.random() < 0.75:
        life["first_at"] = min(now, life["created"] + (1 + rng.randrange(
            30 if rng.random() < 0.5 else 600)) * STEP)
    life["assignee"] = "a%05d" % rid
    life["category"] = rng.choice(CATEGORIES + [None])
    life["priority"] = rng.choice(PRIORITIES)
    life["sla_policy"] = rng.choice(["p1", "p2", None, None, None])
    rnd_due = lambda: (None if rng.random() < 0.4 else
                       life["created"] + rng.randrange(1, 2000) * STEP)
    life["stored_first_due"] = rnd_due()
    life["stored_res_due"] = rnd_due()
    life["marks"] = [(tg, st) for tg in ("first_response", "resolution")
                     for st in ("warning", "breach")
                     if rng.random() < 0.07]
    life["msgs_in"] = rng.randint(0, 3)
    life["msgs_out"] = rng.randint(0, 3)
    life["msgs_other"] = rng.randint(0, 1)
    life["rating"] = rng.randint(1, 5) if rng.random() < 0.2 else None
    life["reopen_count"] = rng.choice([0, 0, 0, 1, 2])
    life["hidden"] = 1 if rng.random() < 0.03 else 0
    life["merged"] = rng.random() < 0.03 and rid > 1
    return life


def store(db, lives):
    con = testdb.connect(db, write=True)
    cur = con.cursor()
    for l in lives:
        cur.execute(
            "INSERT INTO tickets (id, subject, status, priority, category,"
            " assignee, created_at, updated_at, first_response_at,"
            " resolved_at, sla_policy, first_response_due, resolution_due,"
            " rating, reopen_count, hidden, merged_into) VALUES"
            " (?, 's', ?, ?, ?, ?, ?, ?, NULLIF(?, 0), NULLIF(?, 0), ?, ?,"
            " ?, ?, ?, ?, ?)",
            (l["id"], l["status"], l["priority"], l["category"],
             l["assignee"], l["created"], l["created"], l["first_at"],
             l["resolved_at"], l["sla_policy"], l["stored_first_due"],
             l["stored_res_due"], l["rating"], l["reopen_count"],
             l["hidden"], 1 if l["merged"] else None))
        for at, a, b in l["events"]:
            cur.execute("INSERT INTO events (ticket_id, at, kind, actor,"
                        " detail) VALUES (?, ?, 'status', 'anna', ?)",
                        (l["id"], at, "%s -> %s" % (a, b)))
        for tg, st in l["marks"]:
            cur.execute("INSERT INTO sla_marks (ticket_id, target, due,"
                        " stage, at) VALUES (?, ?, ?, ?, ?)",
                        (l["id"], tg, l["created"], st, l["created"]))
        for d, n in (("in", l["msgs_in"]), ("out", l["msgs_out"]),
                     ("note", l["msgs_other"])):
            for _ in range(n):
                cur.execute("INSERT INTO messages (ticket_id, direction,"
                            " created_at) VALUES (?, ?, ?)",
                            (l["id"], d, l["created"]))
    con.commit()
    con.close()


class Model:
    def __init__(self, p, now):
        self.p = p
        self.now = now
        t0 = p["base"] - 3 * 86400
        n = (now + 60 * 86400 - t0) // STEP
        self.t0 = t0
        self.rcal = Calendar(p["rcal"], t0, n)
        pcal = Calendar(p["pcal"], t0, n)
        # a policy without a calendar has the file's first one (README
        # "SLA": "The first calendar is the default")
        self.cals = {"rcal": self.rcal, "pcal": pcal, None: self.rcal}
        self.policies = {q["name"]: q for q in p["policies"]}

    def policy(self, l):
        if l["sla_policy"] in self.policies:
            return self.policies[l["sla_policy"]]
        for q in self.p["policies"]:
            if l["priority"] in q["priorities"]:
                return q
        if self.p["default"] == "":
            return None
        if self.p["default"]:
            return self.policies[self.p["default"]]
        return self.p["policies"][0]

    @staticmethod
    def pending_at(l, t, end):
        """Is l pending during the step starting at t (its life to end)?"""
        if t >= end:
            return False
        p = False
        for at, _, b in l["events"]:
            if at > t:
                break
            p = b == "pending"
        return p

    def due(self, cal, l, target_min, end, paused):
        """First instant the clock (business, not paused) reaches target."""
        left = target_min * 60
        i = cal.idx(l["created"])
        while i < len(cal.open):
            t = cal.t0 + i * STEP
            if cal.open[i] and not (paused and self.pending_at(l, t, end)):
                left -= STEP
                if left <= 0:
                    return t + STEP
            i += 1
        return None

    @staticmethod
    def sla_state(marked, done, done_at, due, now):
        if marked:
            return "breached"
        if done:
            return "breached" if due and done_at > due else "met"
        return "breached" if due and due <= now else "running"

    def figures(self, l):
        now = self.now
        f = {}
        done = l["resolved_at"] != 0 and l["status"] in ("resolved",
                                                          "closed")
        f["done"] = done
        end = l["resolved_at"] if done else now
        if l["first_at"]:
            f["frt_wall"] = max(0, l["first_at"] - l["created"])
            f["frt"] = self.rcal.between(l["created"], l["first_at"])
        if done:
            rw = rb = 0
            t = l["created"]
            while t < l["resolved_at"]:
                if not self.pending_at(l, t, end):
                    rw += STEP
                    rb += STEP if self.rcal.open[self.rcal.idx(t)] else 0
                t += STEP
            f["res_wall"] = rw
            f["res"] = rb
        q = self.policy(l)
        if q is not None:
            cal = self.cals[q["calendar"]]
            fdue = self.due(cal, l, q["first_response"], end, False)
            rdue = self.due(cal, l, q["resolution"], end, True)
        else:
            fdue = l["stored_first_due"]
            rdue = l["stored_res_due"]
        marks = [tg for tg, st in l["marks"] if st == "breach"]
        f["sla_frt"] = self.sla_state("first_response" in marks,
                                      l["first_at"] != 0, l["first_at"],
                                      fdue, now)
        f["sla_res"] = self.sla_state("resolution" in marks, done,
                                      l["resolved_at"], rdue, now)
        return f


def durations(v):
    if not v:
        return [None] * 4
    v = sorted(v)
    n = len(v)
    med = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) // 2
    return [sum(v) // n, med, v[-(-9 * n // 10) - 1], v[-1]]


def group_figures(model, cohort, backlog):
    g = {"opened": len(cohort),
         "resolved": sum(1 for l, f in cohort if f["done"]),
         "reopened": sum(1 for l, f in cohort if l["reopen_count"] > 0)}
    for k in ("frt", "frt_wall", "res", "res_wall"):
        vals = durations([f[k] for l, f in cohort if k in f])
        for name, v in zip(("avg", "median", "p90", "max"), vals):
            g["%s_%s" % (k, name)] = v
    for k in ("sla_frt", "sla_res"):
        for st in ("met", "breached", "running"):
            g["%s_%s" % (k, st)] = sum(1 for l, f in cohort if f[k] == st)
        n = g[k + "_met"] + g[k + "_breached"]
        g[k + "_pct"] = g[k + "_met"] * 100 // n if n else None
    g["customer_msgs"] = sum(l["msgs_in"] for l, f in cohort)
    g["agent_replies"] = sum(l["msgs_out"] for l, f in cohort)
    g["backlog"] = len(backlog)
    ages = [model.now - l["created"] for l in backlog]
    g["backlog_age_avg"] = sum(ages) // len(ages) if ages else None
    g["backlog_age_max"] = max(ages) if ages else None
    ratings = [l["rating"] for l, f in cohort if l["rating"]]
    g["rated"] = len(ratings)
    g["rating_avg"] = (int(sum(ratings) / len(ratings) * 100.0 + 0.5)
                       if ratings else None)
    return g


def local_midnight(zone, day):
    d = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=ZoneInfo(zone))
    return int(d.timestamp())


def check(seed, params, db, triagectl, conf):
    p = json.load(open(params))
    rng = random.Random(seed * 7919 + 1)
    base = p["base"]
    now = base + 40 * 86400
    lives = [make_life(rng, i, base, now) for i in range(1, NREQ + 1)]
    store(db, lives)
    model = Model(p, now)
    zone = p["rcal"]["timezone"]
    day = lambda t: datetime.fromtimestamp(t, timezone.utc).strftime(
        "%Y-%m-%d")
    from_day, to_day = day(base + 86400), day(base + 19 * 86400)
    t_from = local_midnight(zone, from_day)
    t_to = local_midnight(zone, day(utc(to_day) + 86400))
    counted = [l for l in lives if not l["hidden"] and not l["merged"]]
    cohort = [(l, model.figures(l)) for l in counted
              if t_from <= l["created"] < t_to]
    backlog = [l for l in counted
               if l["status"] in ("new", "open", "pending")]
    bad = 0
    checked = 0
    for by, key in (("agent", "assignee"), ("category", "category")):
        env = dict(os.environ, TRIAGED_FAKE_TIME=str(now))
        out = subprocess.run(
            [triagectl, "-c", conf, "report", "--json", "--by", by,
             "--from", from_day, "--to", to_day],
            env=env, capture_output=True, text=True)
        if out.returncode != 0:
            print("triagectl report failed: " + out.stderr)
            return 1
        rep = json.loads(out.stdout)
        want = {}
        for l, f in cohort:
            want.setdefault(l[key] or "(none)", ([], []))[0].append((l, f))
        for l in backlog:
            want.setdefault(l[key] or "(none)", ([], []))[1].append(l)
        got = {g["group"]: g for g in rep["groups"]}
        if set(got) != set(want):
            print("--by %s: groups %s, model %s" % (
                by, sorted(set(got) ^ set(want))[:10], len(want)))
            bad += 1
        rows = [(name, group_figures(model, *want[name]), got.get(name))
                for name in sorted(want)]
        rows.append(("total", group_figures(model, cohort, backlog),
                     rep["total"]))
        for name, exp, g in rows:
            if g is None:
                continue
            for k, v in exp.items():
                have = g.get(k, "missing")
                if k == "rating_avg" and isinstance(have, float):
                    have = int(have * 100 + 0.5)
                checked += 1
                if have != v:
                    bad += 1
                    if bad <= 20:
                        print("seed %d --by %s group %s: %s = %s, model %s"
                              % (seed, by, name, k, have, v))
    print("seed %d: %d requests (%d in the period), %d figures compared, "
          "%d differ; calendars %s / %s, policies %s"
          % (seed, len(lives), len(cohort), checked, bad,
             p["rcal"]["timezone"], p["pcal"]["timezone"],
             ", ".join("%s %d/%d min" % (q["name"], q["first_response"],
                                         q["resolution"])
                       for q in p["policies"])))
    return 1 if bad else 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "conf":
        p = make_params(int(sys.argv[2]))
        json.dump(p, open(sys.argv[3], "w"))
        sys.stdout.write(conf_text(p))
        return 0
    if len(sys.argv) == 7 and sys.argv[1] == "check":
        return check(int(sys.argv[2]), *sys.argv[3:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
