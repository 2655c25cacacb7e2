"""Word lists for generated projects, proposals and reviews. Each topic carries its own vocabulary,
so a full-text query like "react dashboard" finds a plausible, topic-coherent set of projects."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """A kind of project: what gets built, with what, and sentences that describe it."""

    nouns: tuple[str, ...]
    tech: tuple[str, ...]
    sentences: tuple[str, ...]


TOPICS = (
    Topic(
        ("online shop", "checkout flow", "product catalog", "marketplace storefront"),
        ("Django", "Shopify", "WooCommerce", "Stripe", "Next.js"),
        (
            "We sell {noun}s to small businesses and need a faster {tech} setup.",
            "The current checkout drops carts; we want payments, coupons and tax handled properly.",
            "Integrate {tech} payments and send order confirmation emails.",
        ),
    ),
    Topic(
        ("analytics dashboard", "reporting portal", "KPI dashboard", "admin panel"),
        ("React", "TypeScript", "PostgreSQL", "Grafana", "D3"),
        (
            "Build a {noun} that shows sales, churn and revenue per region.",
            "Charts must load in under a second on {tech} with a year of data.",
            "Users filter by date range and export reports to CSV.",
        ),
    ),
    Topic(
        ("mobile app", "iOS app", "Android app", "companion app"),
        ("Flutter", "React Native", "Swift", "Kotlin", "Firebase"),
        (
            "We need a {noun} for booking appointments, with push notifications.",
            "Offline mode matters: field staff often lose signal.",
            "The backend exists; build the {tech} client and publish it to the stores.",
        ),
    ),
    Topic(
        ("data pipeline", "ETL job", "data warehouse", "ingestion service"),
        ("Python", "Airflow", "Spark", "dbt", "Snowflake"),
        (
            "Move nightly exports from our CRM into a {noun} built on {tech}.",
            "Data quality checks should alert us when a feed is late or malformed.",
            "Document the pipeline so our analysts can extend it.",
        ),
    ),
    Topic(
        ("machine learning model", "recommendation engine", "forecasting model", "chatbot"),
        ("PyTorch", "scikit-learn", "Python", "LLM", "TensorFlow"),
        (
            "Train a {noun} on three years of order history to predict demand.",
            "We want a clear evaluation report and a small API serving predictions.",
            "Experience with {tech} in production is a must.",
        ),
    ),
    Topic(
        ("brand identity", "logo", "landing page design", "design system"),
        ("Figma", "Illustrator", "Webflow", "Tailwind"),
        (
            "We are a young company looking for a {noun} that feels modern and trustworthy.",
            "Deliver source files in {tech} and a short usage guide.",
            "Two rounds of revisions are included.",
        ),
    ),
    Topic(
        ("REST API", "GraphQL API", "backend service", "microservice"),
        ("FastAPI", "Go", "Node.js", "Rust", "PostgreSQL"),
        (
            "Design and implement a {noun} for our partner integrations.",
            "It must handle a thousand requests per second with {tech} and be well tested.",
            "Authentication with OAuth and rate limiting are required.",
        ),
    ),
    Topic(
        ("cloud migration", "Kubernetes cluster", "CI pipeline", "infrastructure as code"),
        ("AWS", "Terraform", "Kubernetes", "Docker", "GitHub Actions"),
        (
            "Migrate our monolith to {tech} with zero downtime.",
            "Set up monitoring, alerts and a rollback plan for the {noun}.",
            "Security reviews and cost estimates are part of the job.",
        ),
    ),
    Topic(
        ("blog articles", "technical documentation", "website copy", "newsletter"),
        ("SEO", "Markdown", "WordPress", "Ghost"),
        (
            "Write {noun} for a developer audience, about two pieces a week.",
            "Familiarity with {tech} and our product domain helps.",
            "Each piece is reviewed by our team before publishing.",
        ),
    ),
    Topic(
        ("WordPress site", "company website", "portfolio site", "event website"),
        ("WordPress", "PHP", "Vue", "Webflow", "Laravel"),
        (
            "Redesign our {noun} and make it fast on mobile.",
            "Content editors must manage pages without a developer, using {tech}.",
            "Migrate the existing posts and keep the old URLs working.",
        ),
    ),
    Topic(
        ("security audit", "penetration test", "compliance review", "access control review"),
        ("OWASP", "SOC 2", "Burp Suite", "AWS"),
        (
            "Run a {noun} of our web application before the enterprise launch.",
            "Report findings by severity with concrete fixes, following {tech}.",
            "Retest after we ship the fixes.",
        ),
    ),
    Topic(
        ("video editing", "explainer video", "product demo video", "animation"),
        ("After Effects", "Premiere Pro", "Blender", "DaVinci Resolve"),
        (
            "Produce a two minute {noun} for our product launch.",
            "We supply the script and footage; you handle editing in {tech}.",
            "Subtitles in English and Spanish are needed.",
        ),
    ),
)

VERBS = ("Build", "Create", "Develop", "Improve", "Redesign", "Implement", "Set up", "Rebuild", "Launch")
JOINERS = ("with", "using", "on", "in")
GENERIC = (
    "The budget is fixed and the deadline is in {weeks} weeks.",
    "Please share similar work you have done.",
    "We work remotely across time zones and talk weekly.",
    "Long-term collaboration is possible after this project.",
    "Clean, documented code and tests are expected.",
)
COVER_OPENINGS = (
    "Hello, I have {years} years of experience with {tech}.",
    "Hi! I recently delivered a very similar {noun}.",
    "Good day, {tech} is my main tool and I enjoy this kind of work.",
    "Hello team, I can start next week and work full time on this.",
)
COVER_BODIES = (
    "I would begin with a short discovery call, then deliver in weekly milestones.",
    "My portfolio includes three comparable projects; references on request.",
    "I write tests first and document every decision.",
    "I can deliver an MVP in two weeks and iterate from your feedback.",
)
REVIEW_TEXTS = {
    1: ("Missed every deadline.", "Poor communication and unfinished work."),
    2: ("Below expectations.", "Needed a lot of rework."),
    3: ("Okay result, slow communication.", "Delivered, but with several issues."),
    4: ("Good work, minor delays.", "Solid result and pleasant to work with."),
    5: ("Outstanding, would hire again.", "Excellent communication and great quality.", "Fast and precise."),
}
