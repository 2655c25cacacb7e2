"""The product's skill taxonomy: 300 skills in 15 categories, seeded with ids 1..300 in this order.

Each entry is ``Name``, ``Name=slug`` or either followed by ``:alias,alias``; without ``=slug`` the
slug is the lower-cased name with spaces as hyphens.
"""

from __future__ import annotations

from dataclasses import dataclass

CATEGORIES: dict[str, str] = {
    "Programming Languages": """Python:py,python3; JavaScript:js,ecmascript; TypeScript:ts; Java; Kotlin:kt;
        Swift; Objective-C:objc; C=c:c-lang; C++:cpp,cplusplus; C#:csharp; Go=go:golang; Rust:rustlang;
        Ruby:rb; PHP; Scala; Elixir; Erlang; Haskell; Clojure; F#:fsharp; Dart; Lua; Perl; R=r:rlang;
        Julia; MATLAB; Bash:shell,sh; PowerShell; SQL; Solidity""",
    "Web Development": """HTML:html5; CSS:css3; Sass:scss; Tailwind CSS=tailwind:tailwindcss; Bootstrap;
        React:reactjs,react.js; Next.js:nextjs; Vue.js=vue:vuejs; Nuxt:nuxtjs; Angular:angularjs; Svelte;
        Node.js:nodejs,node; Express=express:expressjs; NestJS; Django; Flask; FastAPI;
        Ruby on Rails=rails:ror,ruby-on-rails; Laravel; Symfony; Spring Boot=spring-boot:spring;
        ASP.NET:aspnet,dotnet; GraphQL:gql; REST API Design=rest-api:rest; WebSockets:websocket;
        WordPress:wp; Shopify; Webflow; Gatsby; jQuery""",
    "Mobile Development": """iOS Development=ios; Android Development=android; React Native:rn; Flutter;
        SwiftUI; Jetpack Compose; Xamarin; Ionic; Kotlin Multiplatform:kmp; App Store Optimization:aso;
        Mobile UI Design=mobile-ui; Push Notifications; In-App Purchases; Expo; Capacitor""",
    "Data Science & AI": """Machine Learning:ml; Deep Learning; Natural Language Processing=nlp;
        Computer Vision; TensorFlow:tf; PyTorch:torch; scikit-learn:sklearn; pandas; NumPy; Data Analysis;
        Data Visualization:dataviz; Data Engineering; ETL; Apache Spark=spark:pyspark; Apache Kafka=kafka;
        Apache Airflow=airflow; dbt; Tableau; Power BI:powerbi; Looker; Statistics; A/B Testing=ab-testing;
        Large Language Models=llm:llms; Prompt Engineering; LangChain; Hugging Face:huggingface; MLOps;
        Time Series Forecasting=time-series; Recommender Systems; Jupyter""",
    "Databases": """PostgreSQL:postgres,psql; MySQL; SQLite; MongoDB:mongo; Redis; Elasticsearch:elastic;
        Cassandra; DynamoDB; Firebase; Supabase; SQL Server:mssql; Oracle Database=oracle; Neo4j;
        ClickHouse; Snowflake""",
    "DevOps & Cloud": """Amazon Web Services=aws; Google Cloud=gcp:google-cloud-platform;
        Microsoft Azure=azure; Docker; Kubernetes:k8s; Terraform; Ansible; CI/CD=ci-cd:cicd;
        GitHub Actions; GitLab CI; Jenkins; Linux Administration=linux; Nginx; Serverless; AWS Lambda;
        Prometheus; Grafana; Site Reliability Engineering=sre; Helm; Cloudflare; DigitalOcean; Heroku;
        Vercel; Monitoring=monitoring:observability; Infrastructure as Code:iac""",
    "Security": """Penetration Testing:pentest; Application Security:appsec; Network Security; OAuth:oauth2;
        Identity and Access Management=iam; Security Audits; Cryptography; GDPR Compliance=gdpr;
        SOC 2=soc2; Threat Modeling""",
    "Software Engineering": """Software Architecture; Microservices; System Design; Test Automation;
        Unit Testing; Selenium; Cypress; Playwright; Performance Optimization; Code Review""",
    "Blockchain": """Ethereum:eth; Smart Contracts; Web3; NFT Development=nft; DeFi""",
    "Game Development": """Unity:unity3d; Unreal Engine:ue5,unreal; Godot; Game Design; 3D Modeling;
        Blender; Shader Programming=shaders:hlsl,glsl; Level Design""",
    "Design": """UI Design; UX Design; UX Research; Figma; Sketch; Adobe XD:xd; Photoshop; Illustrator;
        InDesign; After Effects; Premiere Pro:premiere; Graphic Design; Logo Design; Brand Identity:branding;
        Illustration; Typography; Motion Graphics:motion-design; Animation; Icon Design; Web Design;
        Wireframing; Prototyping; Design Systems; Interaction Design:ixd; Accessibility:a11y,wcag;
        Packaging Design; Print Design; Infographics; Presentation Design; Product Design""",
    "Writing & Translation": """Copywriting; Content Writing; Technical Writing; Blog Writing; Editing;
        Proofreading; Ghostwriting; Creative Writing; Grant Writing; UX Writing:microcopy; Scriptwriting;
        Translation; Spanish Translation; German Translation; French Translation; Localization:l10n,i18n;
        Resume Writing; Speechwriting; Press Releases; White Papers; Case Studies; Newsletter Writing;
        API Documentation; Academic Writing; Book Editing""",
    "Marketing": """Search Engine Optimization=seo; Search Engine Marketing=sem; Google Ads:adwords;
        Facebook Ads:meta-ads; Social Media Marketing:smm; Content Marketing; Email Marketing;
        Marketing Automation; HubSpot; Mailchimp; Google Analytics:ga4; Conversion Rate Optimization=cro;
        Growth Marketing:growth-hacking; Influencer Marketing; Affiliate Marketing; Public Relations;
        Brand Strategy; Market Research; Product Marketing; LinkedIn Marketing; TikTok Marketing;
        YouTube Marketing; Community Management; Video Marketing; Marketing Strategy; Lead Generation;
        Salesforce:sfdc; CRM Management=crm; Customer Journey Mapping; Event Marketing""",
    "Video & Audio": """Video Editing; Color Grading; Videography; Photography; Photo Retouching:retouching;
        Podcast Production; Audio Editing; Sound Design; Voice Over:voiceover; Music Production;
        Final Cut Pro:fcp; DaVinci Resolve""",
    "Business & Operations": """Product Management; Project Management; Agile; Scrum; Business Analysis;
        Financial Modeling; Bookkeeping; Accounting; Excel:ms-excel; Data Entry; Virtual Assistance;
        Customer Support; Sales; Business Plans; Pitch Decks; Startup Consulting; Operations Management;
        Recruiting; HR Consulting; Contract Drafting; Jira; Notion; Zapier; Airtable; Process Automation""",
}


@dataclass(frozen=True)
class SkillSpec:
    """One skill of the taxonomy."""

    slug: str
    name: str
    category: str
    aliases: tuple[str, ...]


def _slugify(name: str) -> str:
    return name.lower().replace(" ", "-").replace("/", "-")


def parse() -> list[SkillSpec]:
    """The taxonomy in id order."""
    specs = []
    for category, text in CATEGORIES.items():
        for entry in (e.strip() for e in text.split(";")):
            head, _, aliases = entry.partition(":")
            name, _, slug = head.partition("=")
            specs.append(
                SkillSpec(
                    slug=slug or _slugify(name),
                    name=name,
                    category=category,
                    aliases=tuple(a.strip() for a in aliases.split(",") if a.strip()),
                )
            )
    return specs


TAXONOMY = parse()
