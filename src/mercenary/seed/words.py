"""Word lists for generated names and text."""

FIRST_NAMES = (
    "Ada Alan Alice Amir Ana Arjun Aya Ben Bianca Carlos Chen Chloe Dana Daniel David Diego Elena Emma "
    "Eric Fatima Felix Grace Hana Hugo Ines Ivan Jack Jana Jonas Julia Kai Karim Kate Lara Leo Lina Luca "
    "Maya Mei Mia Nadia Noah Nora Omar Oscar Paula Pedro Priya Rafael Rosa Sam Sara Sofia Tariq Tom Uma "
    "Vera Victor Wei Yara Yusuf Zoe"
).split()
LAST_NAMES = (
    "Abbott Adams Ahmed Alvarez Bauer Becker Brown Castro Chen Costa Cruz Diaz Dubois Evans Fischer "
    "Garcia Gomez Gupta Haddad Hansen Ito Jansen Kim Kowalski Kumar Lee Lopez Martin Meyer Moreau "
    "Muller Nagy Nguyen Novak Okafor Olsen Patel Perez Petrov Quinn Rossi Sato Schmidt Silva Singh "
    "Smith Suzuki Tanaka Torres Wagner Walker Wang Weber Wilson Yilmaz Young Zhang"
).split()
COMPANY_WORDS = (
    "Acme Apex Atlas Beacon Blue Bright Cedar Cobalt Crest Delta Ember Evergreen Falcon Forge Granite "
    "Harbor Horizon Iron Juniper Keystone Lumen Maple Meridian Nimbus North Nova Oak Orbit Pine Pixel "
    "Prism Quartz Raven Ridge River Sable Sierra Signal Solar Spruce Summit Terra Tidal Union Vertex "
    "Willow Zenith"
).split()
COMPANY_SUFFIXES = ("Labs", "Studio", "Systems", "Digital", "Works", "Group", "Ventures", "Partners", "Co")
