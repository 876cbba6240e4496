"""Hand-written seeds of the near-duplicate corpus: examples, paraphrases, templates."""

# Corpus text: a string is split where it reads best, not at the line limit.
# ruff: noqa: E501

from __future__ import annotations

# (input, answer): the kinds of examples skills collect (questions, code, SQL, support, prose).
BASES: list[tuple[str, str]] = [
    (
        "How do I reverse a list in Python without modifying the original?",
        "Use slicing: `reversed_items = items[::-1]`. It returns a new list and leaves `items` "
        "unchanged. If you only need to iterate, `reversed(items)` avoids the copy.",
    ),
    (
        "What is the difference between a process and a thread?",
        "A process has its own address space and resources; threads run inside a process and share "
        "its memory. Switching between threads is cheaper, but shared memory needs synchronization.",
    ),
    (
        "Write a function that checks whether a string is a palindrome.",
        "def is_palindrome(text: str) -> bool:\n    cleaned = [c.lower() for c in text if c.isalnum()]"
        "\n    return cleaned == cleaned[::-1]",
    ),
    (
        "Explain what an index does in a relational database.",
        "An index is a separate structure, usually a B-tree, that maps column values to row "
        "locations so the database can find matching rows without scanning the whole table. It "
        "speeds up reads and costs extra work on every write.",
    ),
    (
        "Summarize: The quarterly report shows revenue grew 12% year over year, driven by strong "
        "subscription renewals in Europe, while hardware sales declined for the third quarter in a "
        "row. Operating costs rose 4%, mostly from new hires in the support team.",
        "Revenue rose 12% on European subscription renewals; hardware sales fell for a third "
        "quarter; costs grew 4% due to support hiring.",
    ),
    (
        "Translate to French: The meeting has been moved to Thursday afternoon.",
        "La réunion a été déplacée à jeudi après-midi.",
    ),
    (
        "My invoice shows a charge twice for the same month. Can you help?",
        "I'm sorry about the double charge. I've checked your account and refunded the duplicate "
        "payment; it will appear on your statement within 5-7 business days.",
    ),
    (
        "Give me a regular expression that matches a US ZIP code, with optional +4.",
        r"`^\d{5}(?:-\d{4})?$` matches five digits, optionally followed by a hyphen and four more.",
    ),
    (
        "How can I find the ten largest files in a directory tree on Linux?",
        "Run `find . -type f -printf '%s %p\\n' | sort -nr | head -10`. It prints sizes in bytes "
        "with paths, largest first.",
    ),
    (
        "Write a SQL query that lists customers who have never placed an order.",
        "SELECT c.id, c.name\nFROM customers c\nLEFT JOIN orders o ON o.customer_id = c.id\n"
        "WHERE o.id IS NULL;",
    ),
    (
        "What does HTTP status code 429 mean and how should a client react?",
        "429 Too Many Requests means the client exceeded a rate limit. It should back off, honour "
        "the Retry-After header if present, and retry later with exponential backoff.",
    ),
    (
        'Convert this JSON to YAML: {"name": "api", "replicas": 3, "ports": [80, 443]}',
        "name: api\nreplicas: 3\nports:\n  - 80\n  - 443",
    ),
    (
        "Why does my React component re-render every time the parent renders?",
        "A child re-renders whenever its parent does unless it is memoized. Wrap it in "
        "`React.memo` and keep the props it receives stable, e.g. with `useCallback` for handlers.",
    ),
    (
        "Draft a polite reply declining a meeting invitation for next Monday.",
        "Thank you for the invitation. Unfortunately I'm not available next Monday. Could we find "
        "another time later in the week? I'd be glad to join then.",
    ),
    (
        "Implement binary search over a sorted list of integers in JavaScript.",
        "function binarySearch(items, target) {\n  let low = 0, high = items.length - 1;\n"
        "  while (low <= high) {\n    const mid = (low + high) >> 1;\n"
        "    if (items[mid] === target) return mid;\n    if (items[mid] < target) low = mid + 1;\n"
        "    else high = mid - 1;\n  }\n  return -1;\n}",
    ),
    (
        "What are the main causes of inflation?",
        "Demand growing faster than supply, rising production costs such as wages and energy, and "
        "expansion of the money supply. Expectations of future inflation can also feed into prices.",
    ),
    (
        "Classify the sentiment of this review: The battery life is great but the screen scratches "
        "far too easily.",
        "Mixed: positive about battery life, negative about screen durability.",
    ),
    (
        "How do I undo the last commit in git but keep my changes?",
        "Run `git reset --soft HEAD~1`. The commit is removed and its changes stay staged. Use "
        "`--mixed` instead to keep them unstaged.",
    ),
    (
        "Extract the email addresses from: Contact ana@example.org or sales@example.com for quotes.",
        "ana@example.org, sales@example.com",
    ),
    (
        "Explain the CAP theorem in two sentences.",
        "A distributed data store cannot guarantee consistency, availability and partition "
        "tolerance all at once. When a network partition happens it must choose between staying "
        "consistent and staying available.",
    ),
    (
        "Write a Python function that returns the n-th Fibonacci number iteratively.",
        "def fibonacci(n: int) -> int:\n    a, b = 0, 1\n    for _ in range(n):\n"
        "        a, b = b, a + b\n    return a",
    ),
    (
        "What should I check first when a Kubernetes pod is stuck in CrashLoopBackOff?",
        "Look at `kubectl logs <pod> --previous` for the crash output and `kubectl describe pod` "
        "for events: failing probes, missing config or secrets, and out-of-memory kills are the "
        "usual causes.",
    ),
    (
        "Rewrite this sentence to be more concise: In order to be able to access the system, users "
        "are required to first complete the registration process.",
        "Users must register before accessing the system.",
    ),
    (
        "What is the time complexity of inserting into a Python dict?",
        "Average O(1); worst case O(n) when many keys collide or the table resizes, amortized "
        "O(1) over many inserts.",
    ),
    (
        "Create a bash loop that renames all .jpeg files in the current folder to .jpg.",
        'for f in *.jpeg; do mv -- "$f" "${f%.jpeg}.jpg"; done',
    ),
    (
        "A customer asks whether they can change the shipping address after placing an order.",
        "Yes, as long as the order has not shipped. Go to Orders, open the order and choose Edit "
        "address, or reply with the new address and we'll update it for you.",
    ),
    (
        "List three differences between TCP and UDP.",
        "TCP is connection-oriented, UDP is connectionless; TCP guarantees ordered, reliable "
        "delivery while UDP does not; TCP has congestion control and more overhead, UDP is lighter "
        "and faster.",
    ),
    (
        "Write a Go function that sums a slice of ints.",
        "func Sum(values []int) int {\n\ttotal := 0\n\tfor _, v := range values {\n"
        "\t\ttotal += v\n\t}\n\treturn total\n}",
    ),
    (
        "Explain gradient descent to a beginner.",
        "Gradient descent finds the lowest point of a function by taking small steps downhill: at "
        "each step it measures the slope and moves a little in the direction that reduces the "
        "error the most.",
    ),
    (
        "Generate a title for a blog post about migrating a monolith to microservices.",
        "Breaking the Monolith: Lessons from Our Move to Microservices",
    ),
    ("What is the capital of Australia?", "Canberra."),
    (
        "Fix the bug: for i in range(len(items)): if items[i] == target: return i  return None",
        "The `return None` is inside the loop, so the search stops after the first item. Dedent it "
        "so it runs after the loop finishes.",
    ),
    (
        "How do I center a div horizontally and vertically with CSS?",
        "Make the parent a flex container: `display: flex; justify-content: center; "
        "align-items: center;` and give it a height.",
    ),
    (
        "Write a unit test for a function add(a, b) using pytest.",
        "def test_add_returns_the_sum():\n    assert add(2, 3) == 5\n    assert add(-1, 1) == 0",
    ),
    (
        "Which HTTP method should be used to partially update a resource?",
        "PATCH. PUT replaces the whole resource, while PATCH applies a partial modification.",
    ),
    (
        "Describe the water cycle briefly.",
        "Water evaporates from oceans and lakes, condenses into clouds, falls as precipitation, "
        "and flows back through rivers and groundwater to the sea.",
    ),
]

# (original input, paraphrased input, answer): the same request worded differently.
# "light" keeps most wording; "heavy" rewrites it.
PARAPHRASES: list[tuple[str, str, str, str]] = [
    (
        "light",
        "How do I reverse a list in Python without modifying the original?",
        "How can I reverse a list in Python without changing the original?",
        "Use slicing: `reversed_items = items[::-1]`. It returns a new list and leaves `items` "
        "unchanged.",
    ),
    (
        "light",
        "What is the difference between a process and a thread?",
        "What's the difference between a thread and a process?",
        "A process has its own address space; threads share the memory of their process.",
    ),
    (
        "light",
        "Write a function that checks whether a string is a palindrome.",
        "Write a function that checks if a string is a palindrome.",
        "def is_palindrome(text):\n    cleaned = [c.lower() for c in text if c.isalnum()]\n"
        "    return cleaned == cleaned[::-1]",
    ),
    (
        "light",
        "Explain what an index does in a relational database.",
        "Explain what a database index does in a relational database.",
        "An index maps column values to row locations so lookups avoid a full table scan.",
    ),
    (
        "light",
        "How can I find the ten largest files in a directory tree on Linux?",
        "How do I find the 10 largest files in a directory tree on Linux?",
        "find . -type f -printf '%s %p\\n' | sort -nr | head -10",
    ),
    (
        "light",
        "Write a SQL query that lists customers who have never placed an order.",
        "Write an SQL query listing the customers who never placed any order.",
        "SELECT c.id, c.name FROM customers c LEFT JOIN orders o ON o.customer_id = c.id "
        "WHERE o.id IS NULL;",
    ),
    (
        "light",
        "What does HTTP status code 429 mean and how should a client react?",
        "What does the HTTP status code 429 mean, and how should clients react to it?",
        "Too Many Requests: back off, honour Retry-After, retry with exponential backoff.",
    ),
    (
        "light",
        "How do I undo the last commit in git but keep my changes?",
        "How do I undo my last git commit but keep the changes?",
        "git reset --soft HEAD~1 removes the commit and keeps its changes staged.",
    ),
    (
        "light",
        "Explain the CAP theorem in two sentences.",
        "Explain the CAP theorem in 2 sentences, please.",
        "A distributed store cannot guarantee consistency, availability and partition tolerance at "
        "once; during a partition it must choose consistency or availability.",
    ),
    (
        "light",
        "Write a Python function that returns the n-th Fibonacci number iteratively.",
        "Write an iterative Python function returning the nth Fibonacci number.",
        "def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n"
        "    return a",
    ),
    (
        "light",
        "What is the time complexity of inserting into a Python dict?",
        "What's the time complexity of an insert into a Python dictionary?",
        "Average O(1), worst case O(n); amortized O(1).",
    ),
    (
        "light",
        "How do I center a div horizontally and vertically with CSS?",
        "How do I center a div both horizontally and vertically using CSS?",
        "display: flex; justify-content: center; align-items: center; on the parent.",
    ),
    (
        "light",
        "Which HTTP method should be used to partially update a resource?",
        "Which HTTP method should I use to partially update a resource?",
        "PATCH; PUT replaces the whole resource.",
    ),
    (
        "light",
        "List three differences between TCP and UDP.",
        "List 3 differences between TCP and UDP.",
        "Connection-oriented vs connectionless; reliable ordered delivery vs none; congestion "
        "control and overhead vs lightweight.",
    ),
    (
        "light",
        "Create a bash loop that renames all .jpeg files in the current folder to .jpg.",
        "Write a bash loop to rename every .jpeg file in the current folder to .jpg.",
        'for f in *.jpeg; do mv -- "$f" "${f%.jpeg}.jpg"; done',
    ),
    (
        "light",
        "Draft a polite reply declining a meeting invitation for next Monday.",
        "Draft a polite reply that declines a meeting invitation for next Monday.",
        "Thank you for the invitation. Unfortunately I'm not available next Monday.",
    ),
    (
        "heavy",
        "How do I reverse a list in Python without modifying the original?",
        "Python: get a backwards copy of a list, leaving the source intact?",
        "items[::-1] gives a reversed copy.",
    ),
    (
        "heavy",
        "What is the difference between a process and a thread?",
        "Threads vs processes - how do they differ?",
        "Processes have separate memory; threads share it.",
    ),
    (
        "heavy",
        "Explain the CAP theorem in two sentences.",
        "Briefly, what does the CAP theorem say about distributed systems?",
        "You cannot have consistency, availability and partition tolerance together.",
    ),
    (
        "heavy",
        "How do I undo the last commit in git but keep my changes?",
        "I committed too early - how can I take the commit back and still have my edits?",
        "git reset --soft HEAD~1",
    ),
    (
        "heavy",
        "What are the main causes of inflation?",
        "Why do prices go up across an economy?",
        "Demand outpacing supply, rising costs, and money supply growth.",
    ),
    (
        "heavy",
        "Explain gradient descent to a beginner.",
        "Can you describe, in simple terms, how a model learns by stepping downhill on its error?",
        "It measures the slope of the error and takes small steps that reduce it.",
    ),
    (
        "heavy",
        "What is the capital of Australia?",
        "Which city is Australia's capital?",
        "Canberra.",
    ),
    (
        "heavy",
        "Describe the water cycle briefly.",
        "In a few words, how does water move between sea, sky and land?",
        "Evaporation, condensation, precipitation, runoff.",
    ),
]

# Code with its variables and functions renamed (the same program).
RENAMED_CODE: list[tuple[str, str, str]] = [
    (
        "Write a function that checks whether a string is a palindrome.",
        "def is_palindrome(text: str) -> bool:\n    cleaned = [c.lower() for c in text if c.isalnum()]"
        "\n    return cleaned == cleaned[::-1]",
        "def is_palindrome(s: str) -> bool:\n    chars = [ch.lower() for ch in s if ch.isalnum()]\n"
        "    return chars == chars[::-1]",
    ),
    (
        "Write a Python function that returns the n-th Fibonacci number iteratively.",
        "def fibonacci(n: int) -> int:\n    a, b = 0, 1\n    for _ in range(n):\n"
        "        a, b = b, a + b\n    return a",
        "def fib(count: int) -> int:\n    prev, curr = 0, 1\n    for _ in range(count):\n"
        "        prev, curr = curr, prev + curr\n    return prev",
    ),
    (
        "Implement binary search over a sorted list of integers in JavaScript.",
        "function binarySearch(items, target) {\n  let low = 0, high = items.length - 1;\n"
        "  while (low <= high) {\n    const mid = (low + high) >> 1;\n"
        "    if (items[mid] === target) return mid;\n    if (items[mid] < target) low = mid + 1;\n"
        "    else high = mid - 1;\n  }\n  return -1;\n}",
        "function binarySearch(arr, needle) {\n  let lo = 0, hi = arr.length - 1;\n"
        "  while (lo <= hi) {\n    const m = (lo + hi) >> 1;\n"
        "    if (arr[m] === needle) return m;\n    if (arr[m] < needle) lo = m + 1;\n"
        "    else hi = m - 1;\n  }\n  return -1;\n}",
    ),
    (
        "Write a Go function that sums a slice of ints.",
        "func Sum(values []int) int {\n\ttotal := 0\n\tfor _, v := range values {\n"
        "\t\ttotal += v\n\t}\n\treturn total\n}",
        "func Sum(nums []int) int {\n\tacc := 0\n\tfor _, n := range nums {\n"
        "\t\tacc += n\n\t}\n\treturn acc\n}",
    ),
    (
        "Write a SQL query that lists customers who have never placed an order.",
        "SELECT c.id, c.name\nFROM customers c\nLEFT JOIN orders o ON o.customer_id = c.id\n"
        "WHERE o.id IS NULL;",
        "SELECT cust.id, cust.name\nFROM customers cust\nLEFT JOIN orders ord ON "
        "ord.customer_id = cust.id\nWHERE ord.id IS NULL;",
    ),
    (
        "Create a bash loop that renames all .jpeg files in the current folder to .jpg.",
        'for f in *.jpeg; do mv -- "$f" "${f%.jpeg}.jpg"; done',
        'for file in *.jpeg; do mv -- "$file" "${file%.jpeg}.jpg"; done',
    ),
    (
        "Write a unit test for a function add(a, b) using pytest.",
        "def test_add_returns_the_sum():\n    assert add(2, 3) == 5\n    assert add(-1, 1) == 0",
        "def test_addition():\n    assert add(2, 3) == 5\n    assert add(-1, 1) == 0",
    ),
    (
        "Write a Python function that removes duplicates from a list while keeping order.",
        "def unique(items):\n    seen = set()\n    result = []\n    for item in items:\n"
        "        if item not in seen:\n            seen.add(item)\n            result.append(item)\n"
        "    return result",
        "def unique(values):\n    found = set()\n    out = []\n    for value in values:\n"
        "        if value not in found:\n            found.add(value)\n            out.append(value)\n"
        "    return out",
    ),
    (
        "Write a TypeScript function that groups objects by a key.",
        "function groupBy<T>(rows: T[], key: (row: T) => string): Record<string, T[]> {\n"
        "  const groups: Record<string, T[]> = {};\n  for (const row of rows) {\n"
        "    (groups[key(row)] ??= []).push(row);\n  }\n  return groups;\n}",
        "function groupBy<T>(items: T[], keyOf: (item: T) => string): Record<string, T[]> {\n"
        "  const buckets: Record<string, T[]> = {};\n  for (const item of items) {\n"
        "    (buckets[keyOf(item)] ??= []).push(item);\n  }\n  return buckets;\n}",
    ),
    (
        "Write a Rust function that counts the words in a string.",
        "fn word_count(text: &str) -> usize {\n    text.split_whitespace().count()\n}",
        "fn word_count(input: &str) -> usize {\n    input.split_whitespace().count()\n}",
    ),
    (
        "Write a Python context manager that times a block of code.",
        "from contextlib import contextmanager\nimport time\n\n@contextmanager\ndef timer(label):\n"
        "    start = time.perf_counter()\n    yield\n"
        "    print(label, time.perf_counter() - start)",
        "from contextlib import contextmanager\nimport time\n\n@contextmanager\ndef timed(name):\n"
        "    began = time.perf_counter()\n    yield\n"
        "    print(name, time.perf_counter() - began)",
    ),
    (
        "Write a Java method that returns the maximum of an int array.",
        "static int max(int[] values) {\n    int best = values[0];\n    for (int v : values) {\n"
        "        if (v > best) best = v;\n    }\n    return best;\n}",
        "static int max(int[] arr) {\n    int m = arr[0];\n    for (int x : arr) {\n"
        "        if (x > m) m = x;\n    }\n    return m;\n}",
    ),
]

# Templates filled with different values: different requests that share most of their words.
# Each entry: (input template, answer template, list of value tuples).
TEMPLATES: list[tuple[str, str, list[tuple[str, ...]]]] = [
    (
        "Write a SQL query that returns all orders from customer {0} placed in {1} sorted by total "
        "descending.",
        "SELECT * FROM orders WHERE customer_id = {0} AND date_trunc('month', placed_at) = "
        "'{2}' ORDER BY total DESC;",
        [
            ("4412", "March 2024", "2024-03-01"),
            ("9901", "June 2023", "2023-06-01"),
            ("17", "January 2025", "2025-01-01"),
            ("3308", "October 2022", "2022-10-01"),
            ("250", "August 2024", "2024-08-01"),
        ],
    ),
    (
        "Translate to German: {0}",
        "{1}",
        [
            ("Where is the train station?", "Wo ist der Bahnhof?"),
            ("I would like a coffee, please.", "Ich hätte gern einen Kaffee, bitte."),
            ("The invoice is attached to this email.", "Die Rechnung ist dieser E-Mail beigefügt."),
            ("Our office is closed on Friday.", "Unser Büro ist am Freitag geschlossen."),
            ("Please call me back tomorrow morning.", "Bitte rufen Sie mich morgen früh zurück."),
        ],
    ),
    (
        "Convert {0} {1} to {2} using today's rate.",
        "{0} {1} is about {3} {2} at the current exchange rate.",
        [
            ("100", "USD", "EUR", "92.40"),
            ("2500", "GBP", "JPY", "471,250"),
            ("75", "CHF", "USD", "84.10"),
            ("12", "EUR", "SEK", "137.60"),
            ("980", "CAD", "AUD", "1,086.20"),
        ],
    ),
    (
        "Customer {0} reports that order #{1} arrived damaged ({2}). Draft a reply offering a "
        "replacement.",
        "Hi {0}, I'm sorry order #{1} arrived with {2}. We'll ship a replacement today at no cost; "
        "you don't need to return the damaged item.",
        [
            ("Maria", "88213", "a cracked screen"),
            ("Tom", "10457", "a broken handle"),
            ("Aiko", "55120", "water damage to the box"),
            ("Liam", "90001", "a dented lid"),
            ("Noor", "31876", "missing screws"),
        ],
    ),
    (
        "What is the weather forecast for {0} on {1}?",
        "The forecast for {0} on {1} is {2}.",
        [
            ("Lisbon", "Saturday", "sunny, 24°C"),
            ("Oslo", "Monday", "light snow, -3°C"),
            ("Nairobi", "Wednesday", "scattered showers, 21°C"),
            ("Denver", "Friday", "windy, 15°C"),
            ("Hanoi", "Sunday", "humid with thunderstorms, 31°C"),
        ],
    ),
    (
        "Write a Python function named {0} that returns the {1} of a list of numbers.",
        "def {0}(numbers):\n    return {2}",
        [
            ("total", "sum", "sum(numbers)"),
            ("largest", "maximum", "max(numbers)"),
            ("smallest", "minimum", "min(numbers)"),
            ("average", "mean", "sum(numbers) / len(numbers)"),
            ("count_positive", "number of positive values", "sum(1 for n in numbers if n > 0)"),
        ],
    ),
    (
        "Summarize this support ticket in one line: {0}",
        "{1}",
        [
            (
                "The export button on the reports page does nothing when I click it in Firefox 126; "
                "in Chrome it works.",
                "Report export button unresponsive in Firefox 126 only.",
            ),
            (
                "After the last update the mobile app logs me out every few minutes and I have to enter "
                "my password again.",
                "Mobile app logs users out repeatedly since the last update.",
            ),
            (
                "We were charged for 40 seats but only 32 people in our team have accounts.",
                "Billing for 40 seats while only 32 accounts exist.",
            ),
            (
                "The password reset email never arrives, I checked spam too.",
                "Password reset emails are not delivered.",
            ),
            (
                "Dark mode makes the charts unreadable because the axis labels stay black.",
                "Chart axis labels unreadable in dark mode.",
            ),
        ],
    ),
    (
        "Generate a git commit message for a change that {0}.",
        "{1}",
        [
            (
                "adds retry with backoff to the HTTP client",
                "Retry failed HTTP requests with backoff",
            ),
            ("fixes an off-by-one error in pagination", "Fix off-by-one error in pagination"),
            ("removes the deprecated v1 endpoints", "Remove deprecated v1 endpoints"),
            ("upgrades the database driver to version 3", "Upgrade the database driver to v3"),
            ("adds dark mode to the settings page", "Add dark mode to the settings page"),
        ],
    ),
    (
        "Schedule a reminder for {0} at {1} saying '{2}'.",
        'Reminder set for {0} at {1}: "{2}".',
        [
            ("Tuesday", "9:00", "Call the bank"),
            ("March 3", "14:30", "Dentist appointment"),
            ("tomorrow", "18:00", "Pick up the kids"),
            ("Friday", "11:15", "Send the weekly report"),
            ("next Monday", "8:45", "Renew the parking permit"),
        ],
    ),
    (
        "Calculate the monthly payment on a {0} loan at {1}% annual interest over {2} years.",
        "About {3} per month.",
        [
            ("$200,000", "5.5", "30", "$1,135.58"),
            ("$15,000", "7.2", "5", "$298.44"),
            ("$350,000", "4.1", "20", "$2,139.17"),
            ("$8,000", "9.9", "3", "$257.75"),
            ("$60,000", "6", "10", "$666.12"),
        ],
    ),
]

# Requests that look alike but ask different things (not duplicates).
RELATED: list[tuple[tuple[str, str], tuple[str, str]]] = [
    (
        ("How do I reverse a list in Python?", "Use items[::-1] or items.reverse()."),
        ("How do I sort a list in Python?", "Use sorted(items) or items.sort()."),
    ),
    (
        (
            "What is the difference between a process and a thread?",
            "Processes have separate memory; threads share it.",
        ),
        (
            "What is the difference between a mutex and a semaphore?",
            "A mutex admits one holder; a semaphore admits up to N.",
        ),
    ),
    (
        ("How do I undo the last commit in git but keep my changes?", "git reset --soft HEAD~1"),
        ("How do I undo the last commit in git and discard my changes?", "git reset --hard HEAD~1"),
    ),
    (
        (
            "Write a SQL query that lists customers who have never placed an order.",
            "SELECT c.* FROM customers c LEFT JOIN orders o ON o.customer_id = c.id "
            "WHERE o.id IS NULL;",
        ),
        (
            "Write a SQL query that lists customers who have placed more than five orders.",
            "SELECT c.id, count(*) FROM customers c JOIN orders o ON o.customer_id = c.id "
            "GROUP BY c.id HAVING count(*) > 5;",
        ),
    ),
    (
        ("What does HTTP status code 429 mean?", "Too Many Requests: a rate limit was hit."),
        (
            "What does HTTP status code 503 mean?",
            "Service Unavailable: the server is overloaded or down for maintenance.",
        ),
    ),
    (
        ("What is the capital of Australia?", "Canberra."),
        ("What is the capital of Austria?", "Vienna."),
    ),
    (
        (
            "Explain the CAP theorem in two sentences.",
            "A distributed store cannot have consistency, availability and partition tolerance at "
            "once; during a partition it must pick one of the first two.",
        ),
        (
            "Explain the ACID properties in two sentences.",
            "Transactions are atomic, consistent, isolated and durable: all or nothing, valid states "
            "only, no interference, and committed data survives crashes.",
        ),
    ),
    (
        ("How do I center a div horizontally with CSS?", "margin: 0 auto; with a set width."),
        ("How do I center text vertically with CSS?", "Use flexbox with align-items: center."),
    ),
    (
        ("Which HTTP method should be used to partially update a resource?", "PATCH."),
        ("Which HTTP method should be used to delete a resource?", "DELETE."),
    ),
    (
        (
            "Translate to French: The meeting has been moved to Thursday afternoon.",
            "La réunion a été déplacée à jeudi après-midi.",
        ),
        (
            "Translate to Spanish: The meeting has been moved to Thursday afternoon.",
            "La reunión se ha trasladado al jueves por la tarde.",
        ),
    ),
    (
        (
            "List three differences between TCP and UDP.",
            "Connection-oriented vs connectionless; reliable vs best effort; heavier vs lighter.",
        ),
        (
            "List three differences between HTTP/1.1 and HTTP/2.",
            "Binary framing vs text; multiplexed streams vs one request per connection at a time; "
            "header compression vs none.",
        ),
    ),
    (
        ("What is the time complexity of inserting into a Python dict?", "Average O(1)."),
        ("What is the time complexity of inserting at the front of a Python list?", "O(n)."),
    ),
    (
        (
            "Explain gradient descent to a beginner.",
            "Take small steps downhill on the error until it stops decreasing.",
        ),
        (
            "Explain overfitting to a beginner.",
            "The model memorizes the training data and does badly on new data.",
        ),
    ),
    (
        (
            "How can I find the ten largest files in a directory tree on Linux?",
            "find . -type f -printf '%s %p\\n' | sort -nr | head -10",
        ),
        (
            "How can I find the ten most recently modified files in a directory tree on Linux?",
            "find . -type f -printf '%T@ %p\\n' | sort -nr | head -10",
        ),
    ),
    (
        (
            "Create a bash loop that renames all .jpeg files in the current folder to .jpg.",
            'for f in *.jpeg; do mv -- "$f" "${f%.jpeg}.jpg"; done',
        ),
        (
            "Create a bash loop that compresses all .log files in the current folder with gzip.",
            'for f in *.log; do gzip -- "$f"; done',
        ),
    ),
    (
        (
            "My invoice shows a charge twice for the same month. Can you help?",
            "I've refunded the duplicate payment; it appears within 5-7 business days.",
        ),
        (
            "My invoice shows the wrong company name. Can you help?",
            "I've updated the company name; the corrected invoice is in your billing page.",
        ),
    ),
]

# Programs of the same shape that compute different things (not duplicates).
DIFFERENT_CODE: list[tuple[tuple[str, str], tuple[str, str]]] = [
    (
        (
            "Write a Python function that sums a list.",
            "def total(values):\n    result = 0\n    for v in values:\n        result += v\n"
            "    return result",
        ),
        (
            "Write a Python function that multiplies a list.",
            "def product(values):\n    result = 1\n    for v in values:\n        result *= v\n"
            "    return result",
        ),
    ),
    (
        (
            "Write a function that returns the largest element.",
            "def largest(items):\n    return max(items)",
        ),
        (
            "Write a function that returns the number of elements.",
            "def size(items):\n    return len(items)",
        ),
    ),
    (
        (
            "Implement binary search in JavaScript.",
            "function search(a, t) {\n  let lo = 0, hi = a.length - 1;\n  while (lo <= hi) {\n"
            "    const m = (lo + hi) >> 1;\n    if (a[m] === t) return m;\n"
            "    if (a[m] < t) lo = m + 1; else hi = m - 1;\n  }\n  return -1;\n}",
        ),
        (
            "Implement linear search in JavaScript.",
            "function search(a, t) {\n  for (let i = 0; i < a.length; i++) {\n"
            "    if (a[i] === t) return i;\n  }\n  return -1;\n}",
        ),
    ),
    (
        (
            "Write a Go function that sums a slice of ints.",
            "func Sum(values []int) int {\n\ttotal := 0\n\tfor _, v := range values {\n"
            "\t\ttotal += v\n\t}\n\treturn total\n}",
        ),
        (
            "Write a Go function that returns the largest int of a slice.",
            "func Max(values []int) int {\n\tbest := values[0]\n\tfor _, v := range values[1:] {\n"
            "\t\tif v > best {\n\t\t\tbest = v\n\t\t}\n\t}\n\treturn best\n}",
        ),
    ),
    (
        (
            "Write a SQL query counting orders per customer.",
            "SELECT customer_id, count(*) FROM orders GROUP BY customer_id;",
        ),
        (
            "Write a SQL query summing order totals per month.",
            "SELECT date_trunc('month', placed_at) AS month, sum(total) FROM orders GROUP BY 1;",
        ),
    ),
    (
        (
            "Write a Python function that reads a JSON file.",
            "import json\n\ndef load(path):\n    with open(path) as f:\n        return json.load(f)",
        ),
        (
            "Write a Python function that writes a JSON file.",
            "import json\n\ndef save(path, data):\n    with open(path, 'w') as f:\n"
            "        json.dump(data, f)",
        ),
    ),
    (
        (
            "Write a bash command that counts lines in all .py files.",
            "find . -name '*.py' | xargs wc -l",
        ),
        ("Write a bash command that deletes all .pyc files.", "find . -name '*.pyc' -delete"),
    ),
    (
        (
            "Write a Rust function that counts the words in a string.",
            "fn word_count(text: &str) -> usize {\n    text.split_whitespace().count()\n}",
        ),
        (
            "Write a Rust function that counts the lines in a string.",
            "fn line_count(text: &str) -> usize {\n    text.lines().count()\n}",
        ),
    ),
    (
        (
            "Write a Python function that checks whether a number is prime.",
            "def is_prime(n):\n    if n < 2:\n        return False\n    for d in range(2, int(n ** 0.5) + 1):"
            "\n        if n % d == 0:\n            return False\n    return True",
        ),
        (
            "Write a Python function that checks whether a number is even.",
            "def is_even(n):\n    return n % 2 == 0",
        ),
    ),
    (
        (
            "Write a TypeScript function that groups objects by a key.",
            "function groupBy<T>(rows: T[], key: (row: T) => string) {\n"
            "  const groups: Record<string, T[]> = {};\n"
            "  for (const row of rows) (groups[key(row)] ??= []).push(row);\n  return groups;\n}",
        ),
        (
            "Write a TypeScript function that indexes objects by a key.",
            "function indexBy<T>(rows: T[], key: (row: T) => string) {\n"
            "  const index: Record<string, T> = {};\n"
            "  for (const row of rows) index[key(row)] = row;\n  return index;\n}",
        ),
    ),
]

# The same request answered differently (a correction or a different solution): kept apart.
DIFFERENT_ANSWERS: list[tuple[str, str, str]] = [
    (
        "What is the capital of Australia?",
        "Sydney.",
        "Canberra. Sydney is the largest city, but the capital is Canberra.",
    ),
    (
        "How do I undo the last commit in git but keep my changes?",
        "git reset --hard HEAD~1",
        "git reset --soft HEAD~1 keeps the changes staged; --hard would throw them away.",
    ),
    (
        "Write a SQL query that lists customers who have never placed an order.",
        "SELECT * FROM customers;",
        "SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE "
        "o.customer_id = c.id);",
    ),
    (
        "Explain what an index does in a relational database.",
        "It makes everything faster.",
        "A separate sorted structure that lets lookups find rows without scanning the table, at "
        "the cost of slower writes and extra storage.",
    ),
    (
        "What does HTTP status code 429 mean and how should a client react?",
        "It means the server crashed; retry immediately.",
        "Too Many Requests. Slow down, respect Retry-After and back off exponentially.",
    ),
    (
        "Translate to French: The meeting has been moved to Thursday afternoon.",
        "The meeting is Thursday.",
        "La réunion a été déplacée à jeudi après-midi.",
    ),
    (
        "Write a Python function that returns the n-th Fibonacci number iteratively.",
        "def fibonacci(n):\n    return n",
        "def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n"
        "    return a",
    ),
    (
        "How do I center a div horizontally and vertically with CSS?",
        "Use a table layout.",
        "On the parent: display: grid; place-items: center; and give it a height.",
    ),
]
