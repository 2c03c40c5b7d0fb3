"""Usage: python3 scripts/plumbing_lines.py <rev> <provider>

Counts the lines of a provider crate that are not provider logic, at a git revision.

Non-logic: the handle (Inner, the handle struct, its Debug, and the accessors new/engine/config/
router/store/machine), the `impl Provider` block, the apply/force ladders and the decide_outcome
and emit wrappers, the journal-note + catch_up lines of auth, a hand-written Forced extractor,
and in the tests the support module's copies of the harness (Sim struct, manual_config, sim
constructors, send, call, admin calls, serve, advance) and hand-written receivers.
After the kit: the type alias and the Spec struct, every `impl Spec` method whose body only
forwards (one call or one `Some(&store.x)`), the back-office force glue, kit.enter calls, and
the support module's Sim alias and constructors.
"""
import re, subprocess, sys

def show(rev, path):
    r = subprocess.run(["git", "show", f"{rev}:{path}"], capture_output=True, text=True)
    return r.stdout.splitlines() if r.returncode == 0 else []

def block(lines, start):
    """Lines from `start` to the line closing the first `{` opened at or after it."""
    depth, opened = 0, False
    for i in range(start, len(lines)):
        for ch in lines[i]:
            if ch == '{': depth += 1; opened = True
            elif ch == '}': depth -= 1
        if opened and depth == 0:
            return i - start + 1
        if not opened and lines[i].rstrip().endswith(';'):
            return i - start + 1
    return 0

def items(lines, patterns):
    total, found = 0, []
    for pat in patterns:
        rx = re.compile(pat)
        for i, l in enumerate(lines):
            if rx.search(l):
                # include doc comments/attributes directly above
                j = i
                while j > 0 and (lines[j-1].strip().startswith('///') or lines[j-1].strip().startswith('#[')):
                    j -= 1
                n = block(lines, i) + (i - j)
                total += n; found.append((pat, n))
    return total, found

def forwards_in_impl(lines, impl_rx):
    """Methods of the impl block whose body is one forwarding line."""
    total = 0
    for i, l in enumerate(lines):
        if re.search(impl_rx, l):
            end = i + block(lines, i)
            k = i + 1
            while k < end:
                if re.match(r'\s+fn ', lines[k]):
                    n = block(lines, k)
                    body = [x.strip() for x in lines[k:k+n]]
                    inner = [x for x in body[1:-1] if x and not x.startswith('//')]
                    sig_end = next((m for m, x in enumerate(body) if x.endswith('{')), 0)
                    inner = [x for x in body[sig_end+1:-1] if x and not x.startswith('//')]
                    if len(inner) <= 2 and all(re.match(r'^[\w:&().,<>\s*"\'!-]*\)?$', x) for x in inner) and not any(x.startswith(('if ','match ','let ')) for x in inner):
                        total += n
                    k += n
                else:
                    k += 1
    return total

def count_lines(lines, rx):
    return sum(1 for l in lines if re.search(rx, l))

rev, crate = sys.argv[1], sys.argv[2]
base = f"crates/payoutsim-{crate}"
lib = show(rev, f"{base}/src/lib.rs")
total = 0
parts = {}
# handle
t, _ = items(lib, [r'^struct Inner', r'^pub struct \w+\(Arc<Inner>\)', r'^impl std::fmt::Debug for', r'^    pub fn new\(engine: Engine', r'^    pub fn engine\(&self\)', r'^    pub fn config\(&self\)', r'^    pub(\(crate\))? fn store\(&self\)', r'^    pub(\(crate\))? fn machine\(&self', r'^    pub(\(crate\))? fn signer\(&self\)'])
t += count_lines(lib, r'^pub type \w+ = Kit<') + count_lines(lib, r'^pub struct \w+Spec;')
parts['handle'] = t
# forwards
t, _ = items(lib, [r'^impl Provider for'])
t += forwards_in_impl(lib, r'^impl Spec for')
parts['forwards'] = t
# ladders
lc = show(rev, f"{base}/src/lifecycle.rs")
t, _ = items(lc, [r'^(pub(\(crate\))? )?fn decide_outcome\(', r'^pub\(crate\) fn apply\(', r'^pub\(crate\) fn force\(', r'^    pub\(crate\) fn emit<'])
auth = show(rev, f"{base}/src/auth.rs") + show(rev, f"{base}/src/token.rs")
t += count_lines(auth, r'notes\.set_tenant|engine\(\)\.catch_up|engine\.catch_up|parts\.extensions\.get::<RequestNotes>|extensions\.get::<RequestNotes>|kit\.enter\(|\.enter\(&')
payouts = show(rev, f"{base}/src/payouts.rs")
t2, _ = items(payouts, [r'^impl<S: Send \+ Sync> FromRequestParts<S> for Forced', r'^pub struct Forced'])
t += t2
adm = show(rev, f"{base}/src/admin.rs")
t3, _ = items(adm, [r'^async fn force_status', r'^async fn force\('])
parts['ladders'] = t
# support copies
sup = show(rev, f"{base}/tests/support/mod.rs")
t, _ = items(sup, [r'^pub struct Sim \{', r'^pub fn manual_config', r'^pub fn sim\(', r'^pub fn sim_with\(', r'^    pub async fn send\(', r'^    pub async fn call\(', r'^    pub async fn admin(_call)?\(', r'^    pub async fn serve\(', r'^    pub async fn advance\(', r'^pub type Sim ='])
for f in ["webhooks.rs", "wire.rs"]:
    tl = show(rev, f"{base}/tests/{f}")
    t4, _ = items(tl, [r'^async fn receiver\(', r'^async fn serve\(sim'])
    t += t4
parts['support copies'] = t
print(crate, rev[:7], parts, 'total', sum(parts.values()))
